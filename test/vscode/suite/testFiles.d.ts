// Generated at build time by esbuild.mjs: every *.test.ts in this folder.
declare module 'virtual:vscode-test-files' {
  export const TEST_FILES: ReadonlyArray<readonly [name: string, load: () => unknown]>;
}
