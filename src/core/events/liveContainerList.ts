import type Docker from 'dockerode';
import type { Disposable } from '../disposable';
import type { DaemonLevel } from '../levels/daemonLevel';
import type { Logger } from '../log';
import { ContainerEvent, EventSubscription, ObjectEvent, SubscriptionState } from './eventSubscription';

/**
 * Container events that change what a daemon's container list shows. Others (exec_*, attach,
 * resize, top, archive-path…) do not, and every exec tunnel hop, terminal and lineage proof
 * makes exec events on the daemon above it.
 */
const LISTING_CHANGES = /^(create|start|restart|stop|die|kill|pause|unpause|destroy|rename|update|oom|health_status)\b/;

export function changesListing(action: string): boolean {
  return LISTING_CHANGES.test(action);
}

export interface LiveContainerListOptions {
  log: Logger;
  /** Every container event, as the subscription delivers it. */
  onEvent?: (event: ContainerEvent) => void;
  onState?: (state: SubscriptionState, error?: string) => void;
  /** Image, volume and network events of the same stream (only asked for when given). */
  onObjectEvent?: (event: ObjectEvent) => void;
  /**
   * A kept list is listed again when older than this, even with no event: the daemon's
   * human Status text ("Up 5 minutes") ages. Reading it again is lazy: an idle daemon is
   * never asked.
   */
  maxAgeMs?: number;
}

export const DEFAULT_LIST_MAX_AGE_MS = 30_000;

interface Kept {
  all: boolean;
  containers: Docker.ContainerInfo[];
  at: number;
}

/**
 * A daemon's container list kept current by its event stream (list, then watch): the first
 * read asks the daemon, later reads are answered from memory until an event that changes the
 * list arrives, the stream drops, or the list is older than maxAgeMs. A read is kept only
 * when the stream was live for the whole request and no such event came meanwhile, so a kept
 * list is never older than the daemon's state as the stream reported it.
 * It owns its event subscription.
 */
export class LiveContainerList implements Disposable {
  private readonly subscription: EventSubscription;
  private kept: Kept | undefined;
  /** Bumped by every change and every stream state change: a read that spans one is not kept. */
  private generation = 0;
  private readonly inFlight = new Map<boolean, Promise<Docker.ContainerInfo[]>>();
  private readonly maxAgeMs: number;

  constructor(readonly daemon: DaemonLevel, options: LiveContainerListOptions) {
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_LIST_MAX_AGE_MS;
    this.subscription = new EventSubscription(daemon, {
      log: options.log,
      onObjectEvent: options.onObjectEvent,
      onEvent: (e) => {
        if (changesListing(e.action)) this.invalidate();
        options.onEvent?.(e);
      },
      onState: (state, error) => {
        // Events may have been missed while not live; a new stream replays them, but until it
        // does the kept list cannot be trusted.
        this.invalidate();
        options.onState?.(state, error);
      },
    });
  }

  /** Whether reads can be answered from memory: the stream is live. */
  get isLive(): boolean {
    return this.subscription.state === 'live';
  }

  /** The daemon's containers (all, or running only); the caller must not change the array's items. */
  list(all: boolean, signal?: AbortSignal): Promise<Docker.ContainerInfo[]> {
    const kept = this.kept;
    if (kept && kept.all === all && Date.now() - kept.at < this.maxAgeMs && this.isLive) return Promise.resolve(kept.containers.slice());
    // Concurrent reads share one request (the tree asks for a node's children twice at times).
    const pending = signal ? undefined : this.inFlight.get(all);
    if (pending) return pending.then((l) => l.slice());
    const read = this.fetch(all, signal);
    if (!signal) {
      this.inFlight.set(all, read);
      const clear = () => { if (this.inFlight.get(all) === read) this.inFlight.delete(all); };
      read.then(clear, clear);
    }
    return read.then((l) => l.slice());
  }

  /** Forgets the kept list: the next read asks the daemon (a user's Refresh, an action's result). */
  invalidate(): void {
    this.generation++;
    this.kept = undefined;
    this.inFlight.clear();
  }

  private async fetch(all: boolean, signal?: AbortSignal): Promise<Docker.ContainerInfo[]> {
    const generation = this.generation;
    const liveAtStart = this.isLive;
    const at = Date.now();
    const containers = await this.daemon.listContainers(all, signal);
    if (liveAtStart && this.isLive && generation === this.generation) this.kept = { all, containers, at };
    return containers;
  }

  dispose(): void {
    this.kept = undefined;
    this.inFlight.clear();
    this.subscription.dispose();
  }
}
