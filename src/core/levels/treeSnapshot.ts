import type Docker from 'dockerode';
import { classifyError } from '../errors';
import type { DaemonLevel } from './daemonLevel';
import { containerName, daemonHint, isRunning } from './discovery';
import type { Levels } from './levels';

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
}

/** Walks every level breadth-first in parallel; a failing level becomes an `error`, not a throw. */
export async function snapshotDaemon(levels: Levels, daemon: DaemonLevel, options: SnapshotOptions = {}): Promise<DaemonSnapshot> {
  const maxDepth = options.depth ?? Infinity;
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
    base.error = classifyError(err, daemon.what).userMessage;
    return base;
  }
  base.containers = await Promise.all(list.map(async (c): Promise<ContainerSnapshot> => {
    const snap: ContainerSnapshot = {
      id: c.Id, shortId: c.Id.slice(0, 12), name: containerName(c), image: c.Image, state: c.State, level: null,
    };
    if (daemon.depth < maxDepth && isRunning(c) && daemonHint(c)) {
      try {
        const inner = await levels.openLevel(daemon, c.Id, options.signal);
        snap.level = await snapshotDaemon(levels, inner, options);
      } catch (err) {
        const error = classifyError(err, containerName(c));
        // A container that only looked like dind is reported as a plain container.
        if (error.kind !== 'notADaemon') {
          snap.level = { path: [daemon.path, snap.name].filter(Boolean).join('/'), depth: daemon.depth + 1, name: null,
            serverVersion: null, transport: '', error: error.userMessage, containers: [] };
        }
      }
    }
    return snap;
  }));
  return base;
}
