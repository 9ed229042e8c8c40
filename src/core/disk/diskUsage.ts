import type { DaemonLevel } from '../levels/daemonLevel';
import { checkSystemDf, DfBuildCache, DfContainer, DfImage, DfVolume, SystemDf } from './dfShape';

/** A count and the bytes it holds. */
export interface CountAndBytes {
  count: number;
  bytes: number;
}

/**
 * What one daemon holds, from GET /system/df, summed the way `docker system df` sums it, so
 * the two always agree: images are the unique layer bytes, containers their writable layers,
 * volumes their measured size, the build cache its private records.
 */
export interface LevelDiskUsage {
  images: CountAndBytes & { reclaimableBytes: number };
  containers: CountAndBytes & { reclaimableBytes: number };
  volumes: CountAndBytes & { reclaimableBytes: number };
  buildCache: { count: number; bytes: number; reclaimableBytes: number };
  reclaimableBytes: number;
  totalBytes: number;
  /** The checked answer itself, for prune plans and for finding nested levels' storage. */
  raw: SystemDf;
}

/** GET /system/df on `daemon`, bounded in time and size, shape-checked. */
export async function readDiskUsage(daemon: DaemonLevel, signal?: AbortSignal): Promise<LevelDiskUsage> {
  const body = await daemon.getJson('Reading disk use', '/system/df', signal);
  return summarizeDiskUsage(checkSystemDf(body, daemon.what));
}

/** A container that still holds its writable layer and its volumes (the CLI's "active"). */
export function isActiveContainer(c: DfContainer): boolean {
  return /running|paused|restarting/.test(c.State);
}

/** Bytes that are measured: the engine says -1 for "not computed". */
const measured = (n: number | undefined): number => (typeof n === 'number' && n > 0 ? n : 0);

/** The bytes removing one unused image frees: its own layers, not those other images share. */
export function imageOwnBytes(i: DfImage): number {
  return i.SharedSize === -1 ? measured(i.Size) : Math.max(0, measured(i.Size) - measured(i.SharedSize));
}

export function summarizeDiskUsage(df: SystemDf): LevelDiskUsage {
  const imageBytes = measured(df.LayersSize);
  // As docker/cli does: whatever the images in use do not hold is reclaimable.
  const usedByActive = df.Images.filter((i) => i.Containers > 0).reduce((n, i) => n + imageOwnBytes(i), 0);
  const imageReclaimable = Math.max(0, imageBytes - usedByActive);
  const containerBytes = df.Containers.reduce((n, c) => n + measured(c.SizeRw), 0);
  const containerReclaimable = df.Containers.filter((c) => !isActiveContainer(c)).reduce((n, c) => n + measured(c.SizeRw), 0);
  const volumeBytes = df.Volumes.reduce((n, v) => n + measured(v.UsageData?.Size), 0);
  const volumeReclaimable = df.Volumes.filter(isUnusedVolume).reduce((n, v) => n + measured(v.UsageData?.Size), 0);
  const cache = df.BuildCache.filter((b) => !b.Shared);
  const cacheBytes = cache.reduce((n, b) => n + measured(b.Size), 0);
  const cacheReclaimable = cache.filter((b) => !b.InUse).reduce((n, b) => n + measured(b.Size), 0);
  const reclaimableBytes = imageReclaimable + containerReclaimable + volumeReclaimable + cacheReclaimable;
  return {
    images: { count: df.Images.length, bytes: imageBytes, reclaimableBytes: imageReclaimable },
    containers: { count: df.Containers.length, bytes: containerBytes, reclaimableBytes: containerReclaimable },
    volumes: { count: df.Volumes.length, bytes: volumeBytes, reclaimableBytes: volumeReclaimable },
    buildCache: { count: cache.length, bytes: cacheBytes, reclaimableBytes: cacheReclaimable },
    reclaimableBytes,
    totalBytes: imageBytes + containerBytes + volumeBytes + cacheBytes,
    raw: df,
  };
}

/** No container refers to it (RefCount 0 as the engine counts it). */
export function isUnusedVolume(v: DfVolume): boolean {
  return v.UsageData?.RefCount === 0;
}

export function isReclaimableCache(b: DfBuildCache): boolean {
  return !b.Shared && !b.InUse;
}

/**
 * The bytes in this level that are a nested level's storage: the dind container's writable
 * layer plus the volume mounted at its /var/lib/docker. They hold everything the nested
 * level's own /system/df reports.
 */
export function nestedLevelStorageBytes(usage: LevelDiskUsage, containerId: string): number {
  const c = usage.raw.Containers.find((x) => x.Id === containerId);
  if (!c) return 0;
  const root = (c.Mounts ?? []).find((m) => m.Destination === '/var/lib/docker' && m.Type === 'volume' && m.Name);
  const volume = root ? usage.raw.Volumes.find((v) => v.Name === root.Name) : undefined;
  return measured(c.SizeRw) + measured(volume?.UsageData?.Size);
}

/** "1.2 GB", as the docker CLI writes sizes (decimal units). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let n = bytes;
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? `${n}B` : `${n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)}${units[i]}`;
}
