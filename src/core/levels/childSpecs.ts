import type Docker from 'dockerode';
import { DaemonHint, daemonHint, isRunning } from './discovery';
import { containerNodeId } from './ids';

/** One row under a daemon in the tree, decided from listing data alone. */
export interface ContainerChildSpec {
  /** Stable node id: the daemon's level id, '#', the container's full ID. */
  id: string;
  container: Docker.ContainerInfo;
  /** Why the container looks like it runs a daemon, if it does. */
  hint: DaemonHint | undefined;
  /** Shown as a nested level: running, looks like a daemon, and not found to have none. */
  isLevel: boolean;
}

const byName = new Intl.Collator().compare;

/**
 * The children of a daemon in the tree, from its container list (no request per container):
 * levels first, then running, then by name. Each container is classified once, not in the
 * sort comparator, so a daemon with thousands of containers stays cheap.
 */
export function toChildSpecs(daemonId: string, containers: readonly Docker.ContainerInfo[],
  notDaemons: ReadonlySet<string>): ContainerChildSpec[] {
  const rows = containers.map((container) => {
    const id = containerNodeId(daemonId, container.Id);
    const hint = daemonHint(container);
    const running = isRunning(container);
    return { id, container, hint, running, name: container.Names?.[0] ?? '', isLevel: running && !!hint && !notDaemons.has(id) };
  });
  rows.sort((a, b) => Number(!!b.hint) - Number(!!a.hint) || Number(b.running) - Number(a.running) || byName(a.name, b.name));
  return rows.map(({ id, container, hint, isLevel }) => ({ id, container, hint, isLevel }));
}
