import { classifyError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { childLevelId } from '../levels/ids';
import type { Levels } from '../levels/levels';
import { DaemonSnapshot, snapshotDaemon } from '../levels/treeSnapshot';
import { LevelDiskUsage, nestedLevelStorageBytes, readDiskUsage } from './diskUsage';

/** One level of a disk walk: what it holds itself, and what its whole subtree holds. */
export interface LevelDiskEntry {
  path: string;
  depth: number;
  /** The level's own /system/df, or null when it could not be read (see error). */
  usage: LevelDiskUsage | null;
  /**
   * This level and every level below it, each byte counted once. A nested level's data lies
   * in its parent's storage (its /var/lib/docker volume and writable layer), so the parent's
   * own figures already hold it: here that storage is replaced by the nested level's own
   * subtree figure. A nested level that cannot be read keeps its storage as the parent sees it.
   */
  subtreeBytes: number | null;
  error: string | null;
}

/** /system/df reads running at once: each one makes its daemon measure every volume. */
const PARALLEL_DF_READS = 4;

/**
 * Disk use of `daemon` and every level below it, found with the tree walk (its depth limit
 * and level budget), parents before children.
 */
export async function diskOfSubtree(levels: Levels, daemon: DaemonLevel, options: { depth?: number; signal?: AbortSignal } = {}): Promise<LevelDiskEntry[]> {
  const tree = await snapshotDaemon(levels, daemon, { depth: options.depth, all: true, signal: options.signal });
  const found: { snapshot: DaemonSnapshot; level: DaemonLevel | undefined }[] = [];
  const collect = (snapshot: DaemonSnapshot, level: DaemonLevel | undefined) => {
    found.push({ snapshot, level });
    for (const c of snapshot.containers) {
      if (c.level) collect(c.level, level && !snapshot.error ? levels.get(childLevelId(level.id, c.id)) : undefined);
    }
  };
  collect(tree, daemon);
  const usages = await mapLimited(found, PARALLEL_DF_READS, async ({ snapshot, level }) => {
    if (snapshot.error || !level) return { usage: null, error: snapshot.error ?? 'Not opened.' };
    try {
      return { usage: await readDiskUsage(level, options.signal), error: null };
    } catch (err) {
      const e = classifyError(err, level.what);
      if (e.kind === 'cancelled') throw e;
      return { usage: null, error: e.userMessage };
    }
  });
  const entries = new Map<DaemonSnapshot, LevelDiskEntry>();
  found.forEach(({ snapshot }, i) => entries.set(snapshot, {
    path: snapshot.path, depth: snapshot.depth, usage: usages[i].usage, subtreeBytes: null, error: usages[i].error,
  }));
  const subtree = (snapshot: DaemonSnapshot): number | null => {
    const entry = entries.get(snapshot)!;
    if (!entry.usage) return null;
    let bytes = entry.usage.totalBytes;
    for (const c of snapshot.containers) {
      if (!c.level) continue;
      const inner = subtree(c.level);
      if (inner !== null) bytes += inner - nestedLevelStorageBytes(entry.usage, c.id);
    }
    entry.subtreeBytes = Math.max(0, bytes);
    return entry.subtreeBytes;
  };
  subtree(tree);
  return found.map(({ snapshot }) => entries.get(snapshot)!);
}

/** `work` over `items` with at most `limit` running at once, results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
