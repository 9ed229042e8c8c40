import { DisposableStore, type Disposable } from '../disposable';
import { DockerLevelsError } from '../errors';
import { EventSubscription } from '../events/eventSubscription';
import type { DaemonLevel } from '../levels/daemonLevel';
import type { Logger } from '../log';

/** Container events after which a forward to it must stop: it no longer runs, or it is gone. */
const ENDS_CONTAINER = new Set(['die', 'destroy']);

/**
 * Calls `onGone` once, with the reason, when the forwarded container stops or is removed
 * (its own daemon's event stream), when any dind container on the chain above it does (each
 * parent's stream: the level goes), or when its level is closed. Dispose ends the watch.
 */
export function watchForwardTarget(daemon: DaemonLevel, containerId: string, log: Logger, onGone: (reason: DockerLevelsError) => void): Disposable {
  const store = new DisposableStore();
  let fired = false;
  const gone = (reason: DockerLevelsError) => {
    if (fired) return;
    fired = true;
    onGone(reason);
    store.dispose();
  };
  const subscribe = (level: DaemonLevel, id: string, reason: (action: string) => DockerLevelsError) => {
    store.add(new EventSubscription(level, {
      log,
      onEvent: (e) => {
        if (e.containerId === id && ENDS_CONTAINER.has(e.action)) gone(reason(e.action));
      },
    }));
  };
  subscribe(daemon, containerId, (action) => new DockerLevelsError('unreachable',
    `The forwarded container ${containerId.slice(0, 12)} ${action === 'destroy' ? 'was removed' : 'stopped'}.`,
    'Start it again, then forward the port again.'));
  for (let level: DaemonLevel | undefined = daemon; level?.parent && level.container; level = level.parent) {
    const { parent, container, path } = level;
    subscribe(parent, container.id, (action) => new DockerLevelsError('unreachable',
      `Level ${path} went away: its container ${container.name} ${action === 'destroy' ? 'was removed' : 'stopped'}.`,
      'Start the level again, then forward the port again.'));
  }
  store.add(daemon.onDidDispose(() => gone(new DockerLevelsError('unreachable', `The ${daemon.what} was closed.`,
    'Open the level again (Refresh), then forward the port again.'))));
  return store;
}
