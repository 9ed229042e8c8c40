/**
 * Disk use, health and cost of levels, as the tree shows them. Read only when a node asks (a
 * node asks only while it is shown), remembered for a while, and forgotten with the level.
 * No `vscode` import: the texts are tested in plain mocha.
 */
import {
  ContainerCost, DaemonLevel, Disposable, escapeMarkdown, formatBytes, LevelDiskUsage, LevelHealth, nestedLevelStorageBytes, readDiskUsage,
  readLevelHealth,
} from '../core';

/** What one level is known to hold and how healthy it is. */
export interface LevelFacts {
  disk?: LevelDiskUsage;
  health?: LevelHealth;
  error?: string;
  readAt: number;
}

/** "disk 432MB · 70kB reclaimable" for a node's description. */
export function diskText(usage: LevelDiskUsage, subtreeBytes?: number | null): string {
  const subtree = subtreeBytes !== undefined && subtreeBytes !== null && subtreeBytes !== usage.totalBytes ? ` (subtree ${formatBytes(subtreeBytes)})` : '';
  return `disk ${formatBytes(usage.totalBytes)}${subtree}${usage.reclaimableBytes ? ` · ${formatBytes(usage.reclaimableBytes)} reclaimable` : ''}`;
}

/** The disk table for a tooltip: daemon figures are numbers, so only labels are written here. */
export function diskMarkdown(usage: LevelDiskUsage): string {
  const row = (what: string, count: number, bytes: number, reclaimable: number) => `| ${what} | ${count} | ${formatBytes(bytes)} | ${formatBytes(reclaimable)} |`;
  return ['| | count | size | reclaimable |', '|---|---:|---:|---:|',
    row('Images', usage.images.count, usage.images.bytes, usage.images.reclaimableBytes),
    row('Containers', usage.containers.count, usage.containers.bytes, usage.containers.reclaimableBytes),
    row('Volumes', usage.volumes.count, usage.volumes.bytes, usage.volumes.reclaimableBytes),
    row('Build cache', usage.buildCache.count, usage.buildCache.bytes, usage.buildCache.reclaimableBytes)].join('\n');
}

/** Health for a tooltip, every daemon-supplied string escaped. */
export function healthMarkdown(health: LevelHealth): string {
  const lines = [
    `Storage driver: ${escapeMarkdown(health.storageDriver ?? '?')} · bridge MTU ${health.mtu ?? '?'}`
      + `${health.parentMtu !== null ? ` (level above ${health.parentMtu})` : ''} · cgroup v${escapeMarkdown(health.cgroupVersion ?? '?')}`,
    ...health.warnings.map((w) => `$(warning) ${escapeMarkdown(w, 2000)}`),
  ];
  return lines.join('\n\n');
}

/** Short warnings for a row's description ("⚠ vfs", "⚠ MTU 1600 > 1500"); the tooltip says why. */
export function healthBadges(health: LevelHealth): string[] {
  return [
    ...(health.storageDriver === 'vfs' ? ['⚠ vfs'] : []),
    ...(health.mtu !== null && health.parentMtu !== null && health.mtu > health.parentMtu ? [`⚠ MTU ${health.mtu} > ${health.parentMtu}`] : []),
  ];
}

/** An open nested level: its id and the id of its dind container one level up. */
export interface NestedLevelRef {
  levelId: string;
  containerId: string;
}

/**
 * What a level and the nested levels whose facts are known hold, each byte counted once (as
 * core's diskOfSubtree counts it): a known nested level's own subtree replaces its storage as
 * the parent sees it. A nested level not read yet stays counted as that storage, which holds
 * all it has; so the figure never needs a walk the tree has not made. Null when this level's
 * own disk use is not known.
 */
export function subtreeBytes(levelId: string, factsOf: (id: string) => LevelFacts | undefined,
  nestedOf: (id: string) => readonly NestedLevelRef[]): number | null {
  const own = factsOf(levelId)?.disk;
  if (!own) return null;
  let bytes = own.totalBytes;
  for (const n of nestedOf(levelId)) {
    const inner = subtreeBytes(n.levelId, factsOf, nestedOf);
    if (inner !== null) bytes += inner - nestedLevelStorageBytes(own, n.containerId);
  }
  return Math.max(0, bytes);
}

/** "CPU 1.5% · 35.2MB" for a container's description; CPU appears from the second reading. */
export function costText(cost: ContainerCost): string {
  return `${cost.cpuPercent === null ? '' : `CPU ${cost.cpuPercent.toFixed(1)}% · `}${formatBytes(cost.memoryBytes)}`;
}

/** Facts per level id, read once per `maxAgeMs` at most; a level's entry goes when the level closes. */
export class LevelFactsCache implements Disposable {
  private readonly facts = new Map<string, LevelFacts>();
  private readonly pending = new Map<string, Promise<LevelFacts>>();
  private readonly watchers = new Map<string, Disposable>();

  constructor(private readonly maxAgeMs: number, private readonly onDidRead: (levelId: string) => void) {}

  /** What is known now; starts a read when nothing is, or it is older than maxAgeMs. */
  peek(level: DaemonLevel): LevelFacts | undefined {
    const known = this.facts.get(level.id);
    if ((!known || Date.now() - known.readAt > this.maxAgeMs) && !level.isDisposed) void this.read(level);
    return known;
  }

  /** What is known now, without starting a read. */
  known(levelId: string): LevelFacts | undefined {
    return this.facts.get(levelId);
  }

  read(level: DaemonLevel): Promise<LevelFacts> {
    const pending = this.pending.get(level.id);
    if (pending) return pending;
    if (!this.watchers.has(level.id)) this.watchers.set(level.id, level.onDidDispose(() => this.forget(level.id)));
    const attempt = Promise.all([readDiskUsage(level), readLevelHealth(level)])
      .then(([disk, health]): LevelFacts => ({ disk, health, readAt: Date.now() }),
        (err: unknown): LevelFacts => ({ error: err instanceof Error ? err.message : String(err), readAt: Date.now() }))
      .then((facts) => {
        if (!level.isDisposed) {
          this.facts.set(level.id, facts);
          this.onDidRead(level.id);
        }
        return facts;
      })
      .finally(() => this.pending.delete(level.id));
    this.pending.set(level.id, attempt);
    return attempt;
  }

  forget(levelId: string): void {
    this.facts.delete(levelId);
    this.watchers.get(levelId)?.dispose();
    this.watchers.delete(levelId);
  }

  dispose(): void {
    for (const w of this.watchers.values()) w.dispose();
    this.watchers.clear();
    this.facts.clear();
  }
}
