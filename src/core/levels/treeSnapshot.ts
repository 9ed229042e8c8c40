import type Docker from 'dockerode';
import { classifyError, ErrorKind } from '../errors';
import type { DaemonLevel } from './daemonLevel';
import { containerName, daemonHint, isRunning } from './discovery';
import type { Levels } from './levels';
import { showsAsPlainContainer } from './levelIdentity';
import { DEFAULT_MAX_DEPTH, MAX_WALK_LEVELS, WALK_DEADLINE_MS } from '../untrusted/limits';

/** The stable JSON shape of `docker-levels tree --json` (documented in the README). */
export interface DaemonSnapshot {
  path: string;
  depth: number;
  name: string | null;
  serverVersion: string | null;
  transport: string;
  error: string | null;
  containers: ContainerSnapshot[];
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
  /** How many nested levels to open below each root (Infinity for all). */
  depth?: number;
  all?: boolean;
  signal?: AbortSignal;
  /** Shared by one walk: a daemon that invents levels ends here (see limits.ts). */
  budget?: WalkBudget;
}

export interface WalkBudget {
  levelsLeft: number;
  deadline: number;
}

/** Walks every level breadth-first in parallel; a failing level becomes an `error`, not a throw. */
export async function snapshotDaemon(levels: Levels, daemon: DaemonLevel, options: SnapshotOptions = {}): Promise<DaemonSnapshot> {
  const budget = options.budget ?? { levelsLeft: MAX_WALK_LEVELS, deadline: Date.now() + WALK_DEADLINE_MS };
  return (await snapshotWithKind(levels, daemon, { ...options, budget })).snapshot;
}

async function snapshotWithKind(levels: Levels, daemon: DaemonLevel, options: SnapshotOptions): Promise<{ snapshot: DaemonSnapshot; errorKind?: ErrorKind }> {
  const maxDepth = options.depth ?? DEFAULT_MAX_DEPTH;
  const base: DaemonSnapshot = {
    path: daemon.path, depth: daemon.depth, name: null, serverVersion: null,
    transport: `${daemon.transport.kind} ${daemon.transport.address}`, error: null, containers: [],
  };
  let list: Docker.ContainerInfo[];
  try {
    const [info, containers] = await Promise.all([daemon.info(options.signal), daemon.listContainers(options.all ?? true, options.signal)]);
    base.name = info.Name;
    base.serverVersion = info.ServerVersion;
    list = containers;
  } catch (err) {
    const error = classifyError(err, daemon.what);
    base.error = error.userMessage;
    return { snapshot: base, errorKind: error.kind };
  }
  closeLevelsOfStoppedContainers(levels, daemon, list);
  base.containers = await Promise.all(list.map(async (c): Promise<ContainerSnapshot> => {
    const snap: ContainerSnapshot = {
      id: c.Id, shortId: c.Id.slice(0, 12), name: containerName(c), image: c.Image, state: c.State, level: null,
    };
    const hint = daemonHint(c);
    if (daemon.depth < maxDepth && isRunning(c) && hint) {
      const why = budgetSpent(options.budget);
      snap.level = why ? notOpened(daemon, snap.name, why) : await snapshotLevel(levels, daemon, c, hint.certain, options);
    }
    return snap;
  }));
  return { snapshot: base };
}

/** Why no more levels may be opened in this walk, or undefined; takes one level from the budget. */
function budgetSpent(budget: WalkBudget | undefined): string | undefined {
  if (!budget) return undefined;
  if (budget.levelsLeft <= 0) return `Not opened: this walk reached its budget of ${MAX_WALK_LEVELS} levels.`;
  if (Date.now() > budget.deadline) return `Not opened: this walk passed its deadline of ${WALK_DEADLINE_MS / 1000} s.`;
  budget.levelsLeft--;
  return undefined;
}

/** A level the walk did not open, with the note saying why, on the node where it stopped. */
function notOpened(parent: DaemonLevel, name: string, why: string): DaemonSnapshot {
  return { path: [parent.path, name].filter(Boolean).join('/'), depth: parent.depth + 1, name: null,
    serverVersion: null, transport: '', error: why, containers: [] };
}

/** The level inside a running container of `parent`, or null when it turns out to run no daemon. */
async function snapshotLevel(levels: Levels, parent: DaemonLevel, c: Docker.ContainerInfo, certain: boolean,
  options: SnapshotOptions): Promise<DaemonSnapshot | null> {
  const name = containerName(c);
  for (let attempt = 1; ; attempt++) {
    const wasOpen = levels.openLevels().some((l) => l.parent === parent && l.container?.id === c.Id);
    let inner: DaemonLevel;
    try {
      inner = await levels.openLevel(parent, c.Id, options.signal);
    } catch (err) {
      const error = classifyError(err, name);
      // A container that only looked like dind is a plain container; one made to run a
      // daemon whose daemon does not answer is a failure to report.
      if (showsAsPlainContainer(error, certain)) return null;
      return { path: [parent.path, name].filter(Boolean).join('/'), depth: parent.depth + 1, name: null,
        serverVersion: null, transport: '', error: error.userMessage, containers: [] };
    }
    const { snapshot, errorKind } = await snapshotWithKind(levels, inner, options);
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
