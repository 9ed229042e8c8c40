// Generated at build time by test/support/buildVscodeSuite.ts: every *.test.ts in this folder.
declare module 'virtual:vscode-test-files' {
  export const TEST_FILES: ReadonlyArray<readonly [name: string, load: () => unknown]>;
}
