import type { Readable } from 'node:stream';
import { createContainer, deleteContainer, deleteVolume } from '../actions/engineCalls';
import { classifyError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';
import { readDiskUsage } from './diskUsage';
import type { SystemDf } from './dfShape';

/** An unused anonymous volume on a level that holds what a Docker daemon keeps in /var/lib/docker. */
export interface OrphanedLevelVolume {
  name: string;
  bytes: number;
  /** Which docker-root folders were found in it (image, containers, volumes, the driver's own). */
  found: string[];
}

/** The folders every dockerd creates in its root; image and containers are always there. */
const REQUIRED = ['image', 'containers'];
const OPTIONAL = ['volumes', 'overlay2', 'vfs', 'containerd'];
export const PROBE_LABEL = 'docker-levels.probe';
/** Candidates looked into with one probe container; more are left for the next look. */
const MAX_PROBED = 50;

/**
 * Volumes that were a removed dind container's /var/lib/docker. The Engine API keeps no record
 * of where a volume was mounted once its container is gone, so each candidate (an anonymous
 * volume: 64-hex name, local driver, RefCount 0, in no container's Mounts) is looked into:
 * a container that is created and never started mounts them read-only, and the daemon's
 * archive stat says whether `image/` and `containers/` are there. That container is removed
 * right after. A level with no image to create it from reports no orphans (none are known).
 */
export async function findOrphanedLevelData(daemon: DaemonLevel, signal?: AbortSignal): Promise<OrphanedLevelVolume[]> {
  const df = (await readDiskUsage(daemon, signal)).raw;
  const candidates = orphanCandidates(df).slice(0, MAX_PROBED);
  const image = df.Images[0]?.Id;
  if (!candidates.length || !image) return [];
  const created = await createContainer(daemon, {
    Image: image, Cmd: ['/never-started'], Entrypoint: [], NetworkDisabled: true, Labels: { [PROBE_LABEL]: 'orphaned-level-data' },
    HostConfig: { Binds: candidates.map((v, i) => `${v.Name}:/dl-probe/${i}:ro`), NetworkMode: 'none' },
  }, { signal });
  try {
    const out: OrphanedLevelVolume[] = [];
    for (const [i, v] of candidates.entries()) {
      const found: string[] = [];
      for (const dir of [...REQUIRED, ...OPTIONAL]) {
        if (await pathExists(daemon, created.id, `/dl-probe/${i}/${dir}`, signal)) found.push(dir);
      }
      if (REQUIRED.every((d) => found.includes(d))) out.push({ name: v.Name, bytes: Math.max(0, v.UsageData?.Size ?? 0), found });
    }
    return out;
  } finally {
    // The probe only; the volumes it mounted stay as they were.
    await deleteContainer(daemon, created.id, { force: true }, 'Removing the probe container').catch(() => undefined);
  }
}

/** Anonymous, unused, unmounted local volumes: the ones that could be a dead level's root. */
export function orphanCandidates(df: SystemDf): SystemDf['Volumes'] {
  const mounted = new Set(df.Containers.flatMap((c) => (c.Mounts ?? []).map((m) => m.Name)).filter(Boolean));
  return df.Volumes.filter((v) => /^[0-9a-f]{64}$/.test(v.Name) && v.Driver === 'local'
    && v.UsageData?.RefCount === 0 && !mounted.has(v.Name));
}

async function pathExists(daemon: DaemonLevel, containerId: string, path: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const res = await daemon.call('Looking into a volume', (s) => daemon.docker.getContainer(containerId).infoArchive({ path, abortSignal: s } as never), signal) as unknown as Readable;
    res.destroy?.();
    return true;
  } catch (err) {
    const e = classifyError(err, daemon.what);
    if (e.kind === 'notFound') return false;
    throw e;
  }
}

/** Removes orphaned level volumes by name, never with force: one taken into use since is kept. */
export async function removeOrphanedLevelVolumes(daemon: DaemonLevel, names: readonly string[], signal?: AbortSignal): Promise<{ removed: string[]; failed: { name: string; reason: string }[] }> {
  const removed: string[] = [];
  const failed: { name: string; reason: string }[] = [];
  for (const name of names) {
    try {
      await deleteVolume(daemon, name, {}, { signal });
      removed.push(name);
    } catch (err) {
      const e = classifyError(err, daemon.what);
      if (e.kind === 'cancelled') throw e;
      failed.push({ name: displayText(name, 80), reason: e.userMessage });
    }
  }
  return { removed, failed };
}
