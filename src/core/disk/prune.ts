import { throwIfCancelled } from '../abort';
import { deleteContainer, deleteImage, deleteVolume, pruneBuildCache } from '../actions/engineCalls';
import { classifyError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';
import { imageOwnBytes, isActiveContainer, isReclaimableCache, isUnusedVolume, readDiskUsage } from './diskUsage';

/** One thing a prune removes, with the bytes `/system/df` says it holds. */
export interface PruneItem {
  kind: 'container' | 'image' | 'volume' | 'buildCache';
  /** Container ID, image ID, volume name; for the build cache, the level's whole unused cache. */
  id: string;
  /** What a person reads: a container's name, an image's tags, a volume's name (display-safe). */
  label: string;
  bytes: number;
  /** Image tags, removed one by one so an image that gained a container since is kept. */
  tags?: string[];
}

/** What Prune Level… shows before it asks: exactly what it will try to remove. */
export interface PrunePlan {
  levelPath: string;
  items: PruneItem[];
  counts: Record<PruneItem['kind'], number>;
  /** The sum of the items' bytes. */
  bytes: number;
  /** `docker system df`'s reclaimable figure, for comparison (it counts shared layers differently). */
  reclaimableBytes: number;
}

export interface PruneResult {
  removed: PruneItem[];
  /** Items that were not removed, and why (in use again, gone already, the daemon refused). */
  failed: { item: PruneItem; reason: string }[];
  /** Bytes of the removed items as planned; the build cache as the daemon reported it. */
  bytes: number;
}

/**
 * The plan for a level: stopped containers, images no container uses, volumes no container
 * refers to, build cache not in use. Nothing is removed here.
 */
export async function planPrune(daemon: DaemonLevel, signal?: AbortSignal): Promise<PrunePlan> {
  const usage = await readDiskUsage(daemon, signal);
  const df = usage.raw;
  const items: PruneItem[] = [
    ...df.Containers.filter((c) => !isActiveContainer(c)).map((c): PruneItem => ({
      kind: 'container', id: c.Id, label: displayText((c.Names[0] ?? c.Id).replace(/^\//, ''), 128), bytes: Math.max(0, c.SizeRw ?? 0),
    })),
    ...df.Images.filter((i) => i.Containers === 0).map((i): PruneItem => {
      const tags = (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
      return { kind: 'image', id: i.Id, label: displayText(tags.join(', ') || i.Id.replace(/^sha256:/, '').slice(0, 12), 200), bytes: imageOwnBytes(i), tags };
    }),
    ...df.Volumes.filter(isUnusedVolume).map((v): PruneItem => ({
      kind: 'volume', id: v.Name, label: displayText(v.Name, 128), bytes: Math.max(0, v.UsageData?.Size ?? 0),
    })),
  ];
  const cache = df.BuildCache.filter(isReclaimableCache);
  if (cache.length) {
    items.push({ kind: 'buildCache', id: 'build-cache', label: `${cache.length} build cache records`, bytes: cache.reduce((n, b) => n + Math.max(0, b.Size), 0) });
  }
  const counts = { container: 0, image: 0, volume: 0, buildCache: 0 };
  for (const i of items) counts[i.kind] += i.kind === 'buildCache' ? cache.length : 1;
  return { levelPath: daemon.path, items, counts, bytes: items.reduce((n, i) => n + i.bytes, 0), reclaimableBytes: usage.reclaimableBytes };
}

/**
 * Removes the plan's items one by one, never with force: what became used since the plan
 * (a container started, an image or volume taken by a new container) is refused by the
 * daemon and kept. Containers go first, then images, volumes, build cache. Cancel stops
 * before the next item; what was removed stays removed.
 */
export async function runPrune(daemon: DaemonLevel, plan: PrunePlan,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number, item: PruneItem) => void } = {}): Promise<PruneResult> {
  const result: PruneResult = { removed: [], failed: [], bytes: 0 };
  const order: PruneItem['kind'][] = ['container', 'image', 'volume', 'buildCache'];
  const items = [...plan.items].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  for (const [i, item] of items.entries()) {
    throwIfCancelled(options.signal, 'Prune');
    options.onProgress?.(i, items.length, item);
    try {
      const freed = await removeItem(daemon, item, options.signal);
      result.removed.push(item);
      result.bytes += freed ?? item.bytes;
    } catch (err) {
      const e = classifyError(err, daemon.what);
      if (e.kind === 'cancelled') throw e;
      result.failed.push({ item, reason: e.userMessage });
    }
  }
  options.onProgress?.(items.length, items.length, items[items.length - 1]);
  return result;
}

async function removeItem(daemon: DaemonLevel, item: PruneItem, signal?: AbortSignal): Promise<number | undefined> {
  switch (item.kind) {
    case 'container':
      // No force (a container started since is refused) and no v: its volumes are not in the plan.
      await deleteContainer(daemon, item.id, {}, 'Removing a container', { signal });
      return undefined;
    case 'image':
      // Tag by tag, without force: the last untag removes the image unless a container uses it.
      for (const tag of item.tags?.length ? item.tags : [item.id]) {
        await deleteImage(daemon, tag, {}, { signal });
      }
      return undefined;
    case 'volume':
      await deleteVolume(daemon, item.id, {}, { signal });
      return undefined;
    case 'buildCache':
      return (await pruneBuildCache(daemon, { signal, timeoutMs: daemon.timeoutMs * 6 })).spaceReclaimed;
  }
}
