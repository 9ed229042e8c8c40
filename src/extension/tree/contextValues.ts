/**
 * contextValue strings, matched in package.json menus with anchored regexes such as
 * /^dockerLevels:(container|level)\+running/. Format: dockerLevels:kind+flag+flag.
 */
export type NodeKind = 'daemon' | 'container' | 'level' | 'message' | 'image' | 'volume' | 'network' | 'compose'
  | 'images' | 'volumes' | 'networks' | 'files' | 'directory' | 'file' | 'ports' | 'port' | 'orphans' | 'orphan';

export function contextValue(kind: NodeKind, ...flags: (string | false | undefined)[]): string {
  const set = flags.filter((f): f is string => !!f);
  return `dockerLevels:${kind}${set.map((f) => `+${f}`).join('')}`;
}
