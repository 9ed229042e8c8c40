import { containerAction, deleteContainer } from './engineCalls';
import { DockerLevelsError, classifyError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { daemonHint, isRunning } from '../levels/discovery';
import type { Levels } from '../levels/levels';
import { childLevelId } from '../levels/ids';

export type LifecycleAction = 'start' | 'stop' | 'restart' | 'pause' | 'unpause';

/** Each action as a progress verb ("Stoping" is not a word). */
const PROGRESS_VERB: Record<LifecycleAction, string> = {
  start: 'Starting', stop: 'Stopping', restart: 'Restarting', pause: 'Pausing', unpause: 'Unpausing',
};

/** Start, stop, restart, pause or unpause one container. Already in that state is not an error. */
export async function changeContainerState(daemon: DaemonLevel, containerId: string, action: LifecycleAction, signal?: AbortSignal): Promise<void> {
  try {
    // Stopping waits for the process; give it the stop grace period on top of the timeout.
    await containerAction(daemon, containerId, action, `${PROGRESS_VERB[action]} container`,
      { signal, timeoutMs: action === 'stop' || action === 'restart' ? daemon.timeoutMs + 15_000 : daemon.timeoutMs });
  } catch (err) {
    const e = classifyError(err, daemon.what);
    // 304: already started / already stopped.
    if ((e.cause as { statusCode?: number } | undefined)?.statusCode === 304) return;
    throw e;
  }
}

/** What dies with a level: counted by walking the levels below it that can be reached. */
export interface Cascade {
  containers: number;
  levels: number;
  /** Levels below that could not be reached, so their contents are not counted. */
  unreachable: number;
}

export async function countCascade(levels: Levels, daemon: DaemonLevel, containerId: string, signal?: AbortSignal): Promise<Cascade> {
  const total: Cascade = { containers: 0, levels: 0, unreachable: 0 };
  let inner: DaemonLevel;
  try {
    inner = await levels.openLevel(daemon, containerId, signal);
  } catch (err) {
    if (classifyError(err).kind !== 'notADaemon') total.unreachable++;
    return total;
  }
  total.levels++;
  const list = await inner.listContainers(true, signal);
  total.containers += list.length;
  await Promise.all(list.filter((c) => isRunning(c) && daemonHint(c)).map(async (c) => {
    const below = await countCascade(levels, inner, c.Id, signal);
    total.containers += below.containers;
    total.levels += below.levels;
    total.unreachable += below.unreachable;
  }));
  return total;
}

/**
 * Removes one container (and its anonymous volumes, so a level's /var/lib/docker goes with it).
 * A container that is already gone is reported, not treated as success silently.
 */
export async function removeContainer(levels: Levels, daemon: DaemonLevel, containerId: string, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<void> {
  try {
    await deleteContainer(daemon, containerId, { force: options.force ?? true, v: true }, 'Removing container',
      { signal: options.signal, timeoutMs: daemon.timeoutMs + 15_000 });
  } catch (err) {
    const e = classifyError(err, daemon.what);
    if (e.kind === 'notFound') {
      throw new DockerLevelsError('notFound', `Container ${containerId.slice(0, 12)} is already gone from ${daemon.what}.`, 'Refresh the tree.', err);
    }
    throw e;
  } finally {
    levels.close(childLevelId(daemon.id, containerId));
  }
}
