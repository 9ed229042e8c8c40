import { parseArgs } from 'node:util';
import { DEFAULT_WALK_DEPTH, diskOfSubtree, displayText, DockerLevelsError, formatBytes, LevelDiskEntry, resolveDaemonPath, terminalSafeJson } from '../../core';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const dfHelp = `docker-levels df [PATH] [--json] [--depth N]
  Disk use of the level at PATH (default: the root) and of every level below it: images,
  containers, volumes, build cache, what prune would free, and each level's whole subtree.`;

/** The stable JSON of one level (documented in the README). */
export function dfJson(e: LevelDiskEntry): Record<string, unknown> | undefined {
  const u = e.usage;
  if (!u) return undefined;
  return {
    path: e.path, depth: e.depth,
    images: { count: u.images.count, bytes: u.images.bytes },
    containers: { count: u.containers.count, bytes: u.containers.bytes },
    volumes: { count: u.volumes.count, bytes: u.volumes.bytes },
    buildCacheBytes: u.buildCache.bytes,
    reclaimableBytes: u.reclaimableBytes,
    subtreeBytes: e.subtreeBytes,
  };
}

export async function dfCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...GLOBAL_OPTIONS, json: { type: 'boolean' }, depth: { type: 'string' } } });
  if (positionals.length > 1) throw new DockerLevelsError('badInput', 'df takes at most one PATH, e.g. l1/l2.');
  const depth = values.depth === undefined ? DEFAULT_WALK_DEPTH : Number(values.depth);
  if (!(depth >= 0)) throw new DockerLevelsError('badInput', `--depth "${values.depth}" is not a number of levels.`);
  const session = new CliSession(values);
  try {
    const daemon = await resolveDaemonPath(session.levels, session.root, positionals[0] ?? '');
    // --depth counts from the level asked for.
    const entries = await diskOfSubtree(session.levels, daemon, { depth: daemon.depth + depth });
    const failed = entries.filter((e) => !e.usage);
    for (const e of failed) process.stderr.write(`docker-levels: level ${displayText(e.path || '(root)')}: ${displayText(e.error, 2000)}\n`);
    if (values.json) {
      process.stdout.write(`${terminalSafeJson({ levels: entries.map(dfJson).filter(Boolean) }, 2)}\n`);
    } else {
      process.stdout.write(renderDf(entries));
    }
    return failed.length ? 1 : 0;
  } finally {
    session.dispose();
  }
}

export function renderDf(entries: readonly LevelDiskEntry[]): string {
  const rows = [['LEVEL', 'IMAGES', 'CONTAINERS', 'VOLUMES', 'BUILD CACHE', 'RECLAIMABLE', 'SUBTREE']];
  for (const e of entries) {
    const name = `${'  '.repeat(e.depth)}${displayText(e.path.split('/').pop() || '(root)', 60)}`;
    const u = e.usage;
    if (!u) {
      rows.push([name, '?', '?', '?', '?', '?', '?']);
      continue;
    }
    rows.push([name, `${u.images.count} ${formatBytes(u.images.bytes)}`, `${u.containers.count} ${formatBytes(u.containers.bytes)}`,
      `${u.volumes.count} ${formatBytes(u.volumes.bytes)}`, formatBytes(u.buildCache.bytes), formatBytes(u.reclaimableBytes),
      e.subtreeBytes === null ? '?' : formatBytes(e.subtreeBytes)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return `${rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n')}\n`;
}
