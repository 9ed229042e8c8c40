import type { Disposable } from '../disposable';
import type { ContainerEvent, ObjectEvent, SubscriptionState } from '../events/eventSubscription';
import type { DaemonLevel } from '../levels/daemonLevel';
import { Listeners } from '../listeners';
import type { LevelImage, LevelNetwork, LevelVolume } from '../untrusted/contentShapes';
import { ContentKind, ContentListing, listLevelImages, listLevelNetworks, listLevelVolumes } from './levelContents';

interface ContentOf { image: LevelImage; volume: LevelVolume; network: LevelNetwork }

/** Container events after which which containers use an image, volume or network may differ. */
const USERS_CHANGE = /^(create|destroy|connect|disconnect)\b/;

/**
 * A level's images, volumes and networks, each listed only when first asked for (a collapsed
 * group costs nothing) and then kept until an event of its kind says it changed. It opens no
 * stream of its own: the owner feeds it the events of the level's one event stream
 * (LiveContainerList's onObjectEvent, onEvent and onState), and hears through onDidChange
 * which kind to show again.
 */
export class LiveLevelContents implements Disposable {
  private readonly kept = new Map<ContentKind, ContentListing<unknown>>();
  /** Bumped per kind by every change: a listing that spans one is not kept. */
  private readonly generation = new Map<ContentKind, number>();
  private readonly changed = new Listeners<ContentKind>();
  private live = false;

  constructor(readonly daemon: DaemonLevel) {}

  async list<K extends ContentKind>(kind: K, signal?: AbortSignal): Promise<ContentListing<ContentOf[K]>> {
    const kept = this.kept.get(kind);
    if (kept && this.live) return kept as ContentListing<ContentOf[K]>;
    const generation = this.generation.get(kind) ?? 0;
    const wasLive = this.live;
    const read = kind === 'image' ? listLevelImages(this.daemon, signal) : kind === 'volume' ? listLevelVolumes(this.daemon, signal) : listLevelNetworks(this.daemon, signal);
    const listing = await read as ContentListing<ContentOf[K]>;
    if (wasLive && this.live && generation === (this.generation.get(kind) ?? 0)) this.kept.set(kind, listing);
    return listing;
  }

  onDidChange(listener: (kind: ContentKind) => void): Disposable {
    return this.changed.add(listener);
  }

  /** Feed from the event stream: an image, volume or network event. */
  objectEvent(event: ObjectEvent): void {
    this.invalidate(event.type);
  }

  /** Feed from the event stream: a container event (it may change who uses what). */
  containerEvent(event: ContainerEvent): void {
    if (USERS_CHANGE.test(event.action)) for (const kind of ['image', 'volume', 'network'] as const) this.invalidate(kind);
  }

  /** Feed from the event stream: its state. Events may be missed while it is not live. */
  streamState(state: SubscriptionState): void {
    this.live = state === 'live';
    for (const kind of ['image', 'volume', 'network'] as const) this.invalidate(kind);
  }

  invalidate(kind: ContentKind): void {
    this.generation.set(kind, (this.generation.get(kind) ?? 0) + 1);
    this.kept.delete(kind);
    this.changed.fire(kind);
  }

  dispose(): void {
    this.kept.clear();
    this.changed.clear();
  }
}
