import type { Disposable } from '../disposable';
import type { DaemonLevel } from '../levels/daemonLevel';

/** One reading of a container's cost. */
export interface ContainerCost {
  /** Percent of one CPU (200 = two CPUs busy); null until two readings exist. */
  cpuPercent: number | null;
  memoryBytes: number;
  memoryLimitBytes: number | null;
}

interface RawSample {
  cpuTotal: number;
  systemTotal: number;
  onlineCpus: number;
  memoryBytes: number;
  memoryLimitBytes: number | null;
}

/** Stats reads in flight at once, across every level. */
const PARALLEL_READS = 6;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** GET /containers/{id}/stats?stream=false&one-shot=true: one sample, at once, shape-checked. */
export async function readStatsSample(daemon: DaemonLevel, containerId: string, signal?: AbortSignal): Promise<RawSample> {
  const body = await daemon.getJson('Reading container stats', `/containers/${encodeURIComponent(containerId)}/stats?stream=false&one-shot=true`, signal) as Record<string, unknown> | null;
  const cpu = (body?.cpu_stats ?? {}) as Record<string, unknown>;
  const usage = (cpu.cpu_usage ?? {}) as Record<string, unknown>;
  const mem = (body?.memory_stats ?? {}) as Record<string, unknown>;
  const memStats = (mem.stats ?? {}) as Record<string, unknown>;
  // As `docker stats` shows it: usage without the page cache (v1 total_inactive_file, v2 inactive_file).
  const inactive = num(memStats.total_inactive_file) ?? num(memStats.inactive_file) ?? 0;
  const memUsage = num(mem.usage) ?? 0;
  const limit = num(mem.limit);
  return {
    cpuTotal: num(usage.total_usage) ?? 0,
    systemTotal: num(cpu.system_cpu_usage) ?? 0,
    onlineCpus: num(cpu.online_cpus) ?? (Array.isArray(usage.percpu_usage) ? usage.percpu_usage.length : 1),
    memoryBytes: Math.max(0, memUsage - inactive),
    // No limit set: the engine reports the host's memory, a number of 2^63 on some kernels.
    memoryLimitBytes: limit !== undefined && limit < 2 ** 62 ? limit : null,
  };
}

function cpuPercent(prev: RawSample | undefined, next: RawSample): number | null {
  if (!prev) return null;
  const cpu = next.cpuTotal - prev.cpuTotal;
  const system = next.systemTotal - prev.systemTotal;
  if (cpu < 0 || system <= 0) return null;
  return Math.round((cpu / system) * next.onlineCpus * 1000) / 10;
}

/**
 * Live cost of the containers a view shows. Each is read at most once per `intervalMs`, with
 * one-shot stats (the daemon answers at once; CPU comes from two consecutive readings), and
 * only while `setWatched` lists it: a hidden view watches nothing and reads nothing.
 */
export class StatsSampler implements Disposable {
  private watched = new Map<string, { daemon: DaemonLevel; containerId: string }>();
  private readonly last = new Map<string, RawSample>();
  private readonly costs = new Map<string, ContainerCost>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private controller = new AbortController();
  private running = false;
  private disposed = false;
  /** Requests made, for the bench and the tests. */
  requests = 0;

  constructor(private readonly intervalMs: number, private readonly onDidUpdate: (key: string, cost: ContainerCost) => void) {}

  static key(daemon: DaemonLevel, containerId: string): string {
    return `${daemon.id}#${containerId}`;
  }

  /** Replaces what is watched; an empty list stops all reading. */
  setWatched(items: readonly { daemon: DaemonLevel; containerId: string }[]): void {
    if (this.disposed) return;
    this.watched = new Map(items.map((i) => [StatsSampler.key(i.daemon, i.containerId), i]));
    for (const key of [...this.last.keys()]) if (!this.watched.has(key)) { this.last.delete(key); this.costs.delete(key); }
    if (!this.watched.size) this.stop();
    else if (!this.timer && !this.running) this.schedule(0);
  }

  /** Containers read each round now (0: the sampler makes no requests). */
  get watchedCount(): number {
    return this.watched.size;
  }

  cost(key: string): ContainerCost | undefined {
    return this.costs.get(key);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => { this.timer = undefined; void this.round(); }, ms);
  }

  private async round(): Promise<void> {
    this.running = true;
    const signal = this.controller.signal;
    const queue = [...this.watched];
    // A few reads at a time: a view of many containers must not flood a small machine.
    await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await this.readOne(next[0], next[1].daemon, next[1].containerId, signal);
    }));
    this.running = false;
    if (!this.disposed && this.watched.size && !this.timer) this.schedule(this.intervalMs);
  }

  private async readOne(key: string, daemon: DaemonLevel, containerId: string, signal: AbortSignal): Promise<void> {
    if (daemon.isDisposed || signal.aborted) return;
    this.requests++;
    try {
      const sample = await readStatsSample(daemon, containerId, signal);
      if (!this.watched.has(key)) return;
      const cost = { cpuPercent: cpuPercent(this.last.get(key), sample), memoryBytes: sample.memoryBytes, memoryLimitBytes: sample.memoryLimitBytes };
      this.last.set(key, sample);
      this.costs.set(key, cost);
      this.onDidUpdate(key, cost);
    } catch {
      // A container that stopped or a level that went: the next round or the tree says so.
    }
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.abort();
    this.controller = new AbortController();
  }

  dispose(): void {
    this.disposed = true;
    this.watched.clear();
    this.stop();
  }
}
