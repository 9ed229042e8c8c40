import type { Disposable } from '../disposable';
import { classifyError } from '../errors';
import { EventSubscription } from '../events/eventSubscription';
import type { ContainerRef, DaemonLevel } from '../levels/daemonLevel';
import type { Logger } from '../log';

/** What a level is nested in: the level above it and the container it runs in. */
export interface NestedPlace {
  readonly parent?: DaemonLevel | undefined;
  readonly container?: ContainerRef | undefined;
}

const GONE: Record<string, string> = { die: 'stopped', destroy: 'removed' };

/**
 * Watches every container a level is nested in (its own dind container, and each one above it)
 * on the event stream of the level above, and calls `onGone` once when one stops or is removed:
 * the daemon it carried is gone, whatever answers at its address afterwards. A container
 * replaced by another of the same name is a removal, since levels are known by container ID.
 * Each time a stream is (re)connected the container is inspected too, since a daemon that was
 * restarted has no events from before.
 */
export function watchLevelContainers(level: NestedPlace, what: string, log: Logger, onGone: (reason: string) => void): Disposable {
  const subscriptions: EventSubscription[] = [];
  let done = false;
  const gone = (reason: string) => {
    if (done) return;
    done = true;
    for (const s of subscriptions) s.dispose();
    onGone(reason);
  };
  for (let place: NestedPlace = level; place.parent && place.container; place = place.parent) {
    const parent = place.parent;
    const container = place.container;
    const whose = container === level.container ? `${what}: its container ${container.name}` : `${what}: the container ${container.name} it runs in`;
    const check = () => parent.inspectContainer<{ State: { Running: boolean } }>(container.id)
      .then((inspect) => {
        if (!inspect.State.Running) gone(`${whose} is stopped`);
      })
      .catch((err: unknown) => {
        const error = classifyError(err, parent.what);
        if (error.kind === 'notFound') gone(`${whose} was removed`);
        else log.debug(`${what}: checking ${container.name}: ${error.message}`);
      });
    subscriptions.push(new EventSubscription(parent, {
      log,
      onEvent: (e) => {
        if (e.containerId === container.id && GONE[e.action]) gone(`${whose} was ${GONE[e.action]}`);
      },
      onState: (state) => { if (state === 'live' && !done) void check(); },
    }));
  }
  return { dispose: () => { done = true; for (const s of subscriptions) s.dispose(); } };
}
