import type Docker from 'dockerode';
import { setMaxListeners } from 'node:events';
import { deadline } from '../abort';
import { classifyError, DockerLevelsError, ErrorKind } from '../errors';
import type { DaemonInfo, DaemonLevel } from './daemonLevel';
import { containerName, daemonHint, isRunning } from './discovery';
import type { Levels } from './levels';
import { showsAsPlainContainer } from './levelIdentity';
import { bridgeMtu, levelHealth, type LevelHealth } from '../health/levelHealth';
import { daemonLogTail } from '../health/daemonLog';
import { ConcurrencyLimit } from '../concurrencyLimit';

/** The stable JSON shape of `docker-levels tree --json` (documented in the README). */
export interface DaemonSnapshot {
  path: string;
  depth: number;
  name: string | null;
  serverVersion: string | null;
  transport: string;
  error: string | null;
  containers: ContainerSnapshot[];
  /** Only when asked for with `health: true`; null when the daemon did not answer. */
  health?: LevelHealth | null;
  /** With `health: true`, for a dind container whose daemon does not answer: the end of its own log. */
  daemonLog?: string[];
}

export interface ContainerSnapshot {
  id: string;
  shortId: string;
  name: string;
  image: string;
  state: string;
  level: DaemonSnapshot | null;
}

export interface SnapshotOptions {
  /** How many nested levels to open below each root (DEFAULT_WALK_DEPTH when not given). */
  depth?: number;
  all?: boolean;
  signal?: AbortSignal;
  /** Levels this walk may still open; shared by every branch of one walk. */
  budget?: { levels: number };
  /** Levels this walk opens at once (WALK_PARALLEL_OPENS when not given). */
  parallelOpens?: number;
  /** Read each level's health (storage driver, bridge MTU against its parent's, cgroup version). */
  health?: boolean;
  /** The parent's bridge MTU, passed down by the walk. */
  parentMtu?: number | null;
  /** The whole walk's time (WALK_DEADLINE_MS when not given); past it, what is not open yet is noted, not opened. */
  deadlineMs?: number;
}

/** What every branch of one walk shares: its deadline (the signal goes to every call) and its open slots. */
interface WalkClock {
  expired: AbortSignal;
  ms: number;
  opens: ConcurrencyLimit;
}

/**
 * A walk's limits. Real nesting is a handful of levels deep and a CI host runs tens of
 * siblings; a level that invents levels in every container would otherwise be walked forever.
 */
export const DEFAULT_WALK_DEPTH = 10;
export const WALK_LEVEL_BUDGET = 500;
/**
 * A whole walk: a real tree of tens of levels opens in seconds, and each call has its own
 * timeout; a lying tree that answers just slowly enough would otherwise keep a walk going for hours.
 */
export const WALK_DEADLINE_MS = 120_000;
/**
 * Levels one walk opens at once. Opening costs the parent daemon an inspect (and a TLS level
 * an exec that prints its certificates) and costs this process a TLS handshake or a
 * `dial-stdio` process per hop: a CI host's tens of siblings all at once would queue on the
 * parent daemon and on this machine's cores until the slowest pass their timeouts. 8 still
 * hides the round trips to a remote parent; on a local one, 2, 8 and unbounded walked 25
 * siblings equally fast (bench item 14: the parent serializes that work anyway).
 */
export const WALK_PARALLEL_OPENS = 8;

/** Walks every level breadth-first in parallel; a failing level becomes an `error`, not a throw. */
export async function snapshotDaemon(levels: Levels, daemon: DaemonLevel, options: SnapshotOptions = {}): Promise<DaemonSnapshot> {
  const ms = options.deadlineMs ?? WALK_DEADLINE_MS;
  const clock: WalkClock = { expired: deadline(ms), ms, opens: new ConcurrencyLimit(options.parallelOpens ?? WALK_PARALLEL_OPENS) };
  const signal = options.signal ? AbortSignal.any([options.signal, clock.expired]) : clock.expired;
  // Every call of the walk listens to it until it ends: tens of levels at once are no leak.
  setMaxListeners(0, signal);
  const walk = { ...options, signal, depth: options.depth ?? DEFAULT_WALK_DEPTH, budget: options.budget ?? { levels: WALK_LEVEL_BUDGET } };
  return (await snapshotWithKind(levels, daemon, walk, clock)).snapshot;
}

/** The note on a node the walk did not open (or finish) before its deadline. */
function pastDeadline(clock: WalkClock): string {
  return `Not opened: this walk reached its deadline of ${Math.round(clock.ms / 1000)} s.`;
}

/** `known` is the /info the walk's own opening of `daemon` just read: not asked twice. */
async function snapshotWithKind(levels: Levels, daemon: DaemonLevel, options: SnapshotOptions, clock: WalkClock,
  known?: DaemonInfo): Promise<{ snapshot: DaemonSnapshot; errorKind?: ErrorKind }> {
  const maxDepth = options.depth ?? DEFAULT_WALK_DEPTH;
  const base: DaemonSnapshot = {
    path: daemon.path, depth: daemon.depth, name: null, serverVersion: null,
    transport: transportText(daemon.transport), error: null, containers: [],
  };
  let list: Docker.ContainerInfo[];
  try {
    if (clock.expired.aborted) throw new DockerLevelsError('timeout', pastDeadline(clock));
    const [info, containers] = await Promise.all([known ?? daemon.info(options.signal), daemon.listContainers(options.all ?? true, options.signal)]);
    base.name = info.Name;
    base.serverVersion = info.ServerVersion;
    list = containers;
    if (options.health) {
      const mtu = await bridgeMtu(daemon, options.signal).catch(() => null);
      base.health = levelHealth(info, mtu, options.parentMtu ?? null);
      options = { ...options, parentMtu: mtu };
    }
  } catch (err) {
    const error = classifyError(err, daemon.what);
    base.error = clock.expired.aborted ? pastDeadline(clock) : error.userMessage;
    if (options.health) base.health = null;
    return { snapshot: base, errorKind: error.kind };
  }
  if (daemon.leftOut.length) {
    base.error = `Left out ${daemon.leftOut.length} of the listed containers: their entries are not the Engine API's (${daemon.leftOut[0]}).`;
  }
  closeLevelsOfStoppedContainers(levels, daemon, list);
  base.containers = await Promise.all(list.map(async (c): Promise<ContainerSnapshot> => {
    const snap: ContainerSnapshot = {
      id: c.Id, shortId: c.Id.slice(0, 12), name: containerName(c), image: c.Image, state: c.State, level: null,
    };
    const hint = daemonHint(c);
    if (daemon.depth < maxDepth && isRunning(c) && hint) {
      if (options.budget && options.budget.levels <= 0) {
        snap.level = { path: [daemon.path, snap.name].filter(Boolean).join('/'), depth: daemon.depth + 1, name: null, serverVersion: null,
          transport: '', error: `Not opened: this walk has opened its ${WALK_LEVEL_BUDGET} levels.`, containers: [] };
      } else {
        if (options.budget) options.budget.levels--;
        snap.level = await snapshotLevel(levels, daemon, c, hint.certain, options, clock);
      }
    }
    return snap;
  }));
  return { snapshot: base };
}

/** The level inside a running container of `parent`, or null when it turns out to run no daemon. */
async function snapshotLevel(levels: Levels, parent: DaemonLevel, c: Docker.ContainerInfo, certain: boolean,
  options: SnapshotOptions, clock: WalkClock): Promise<DaemonSnapshot | null> {
  const name = containerName(c);
  for (let attempt = 1; ; attempt++) {
    const wasOpen = levels.openLevels().some((l) => l.parent === parent && l.container?.id === c.Id);
    let inner: DaemonLevel;
    let known: DaemonInfo | undefined;
    try {
      // Only the opening holds a slot, not the walk below it: nested opens never wait on their parents.
      ({ level: inner, info: known } = await clock.opens.run(() => levels.openLevelWithInfo(parent, c.Id, options.signal), options.signal));
    } catch (err) {
      const error = classifyError(err, name);
      if (clock.expired.aborted) {
        return { path: [parent.path, name].filter(Boolean).join('/'), depth: parent.depth + 1, name: null,
          serverVersion: null, transport: '', error: pastDeadline(clock), containers: [] };
      }
      // A container that only looked like dind is a plain container; one made to run a
      // daemon whose daemon does not answer is a failure to report.
      if (showsAsPlainContainer(error, certain)) return null;
      const failed: DaemonSnapshot = { path: [parent.path, name].filter(Boolean).join('/'), depth: parent.depth + 1, name: null,
        serverVersion: null, transport: '', error: error.userMessage, containers: [] };
      if (options.health) {
        failed.health = null;
        failed.daemonLog = await daemonLogTail(parent, c.Id, options.signal);
      }
      return failed;
    }
    const { snapshot, errorKind } = await snapshotWithKind(levels, inner, options, clock, known);
    // A level opened earlier may have lost its transport for good (restarted with a new
    // published port, a bridge IP that changed): open it afresh once. A timeout is not
    // retried, so a hanging daemon still costs one timeout, not two.
    if (errorKind === 'unreachable' && wasOpen && attempt === 1) {
      levels.close(inner.id);
      continue;
    }
    return snapshot;
  }
}

/**
 * Closes the open levels below `daemon` whose containers stopped or are gone, with their
 * clients, tunnels and streams: a restart may give them new addresses, and the next look
 * opens them afresh. Paused and restarting containers keep theirs.
 */
export function closeLevelsOfStoppedContainers(levels: Levels, daemon: DaemonLevel, list: readonly Docker.ContainerInfo[]): void {
  const alive = new Set(list.filter((c) => c.State === 'running' || c.State === 'paused' || c.State === 'restarting').map((c) => c.Id));
  for (const level of levels.openLevels()) {
    if (level.parent === daemon && level.container && !alive.has(level.container.id)) levels.close(level.id);
  }
}

/**
 * "published tcp://…", "tls tls://…", "tunnel exec tunnel via …"; a root's ssh:// or command: …
 * address already names its kind and is shown alone. Other kinds keep "kind address", which
 * `tree --json` readers match on.
 */
function transportText(t: DaemonLevel['transport']): string {
  const namesItsKind = (t.kind === 'ssh' || t.kind === 'command') && t.address.startsWith(`${t.kind}:`);
  return namesItsKind ? t.address : `${t.kind} ${t.address}`;
}
