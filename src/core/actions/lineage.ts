import { classifyError } from '../errors';
import { runInContainer } from './execSession';
import type { DaemonLevel } from '../levels/daemonLevel';

/** One step of the lineage: a container as its parent daemon sees it, and as it sees itself. */
export interface LineageStep {
  depth: number;
  /** The daemon that runs this container: its /info Name and ID. */
  daemonName: string;
  daemonId: string;
  containerName: string;
  containerId: string;
  shortId: string;
  /** What `hostname` prints inside the container, or null when it could not be run. */
  hostnameInside: string | null;
  matches: boolean;
  error: string | null;
}

export interface Lineage {
  levels: LineageStep[];
}

/**
 * Proves, live, how the ID changes level by level: for each container on the path from the
 * root to `containerId` (which lives in `daemon`), runs `hostname` inside it and compares.
 * A --hostname override shows as a mismatch: what is seen is reported, never assumed.
 */
export async function traceLineage(daemon: DaemonLevel, containerId: string, signal?: AbortSignal): Promise<Lineage> {
  // The daemons from the root down to `daemon`, and the container each one runs on the path.
  const hops: { daemon: DaemonLevel; containerId: string }[] = [];
  let current: DaemonLevel | undefined = daemon;
  let target = containerId;
  while (current) {
    hops.unshift({ daemon: current, containerId: target });
    target = current.container?.id ?? '';
    current = current.parent;
  }
  const steps = await Promise.all(hops.map(async ({ daemon: d, containerId: id }): Promise<LineageStep> => {
    const [info, inspect] = await Promise.all([
      d.info(signal),
      d.inspectContainer(id, signal),
    ]);
    const step: LineageStep = {
      depth: d.depth, daemonName: info.Name, daemonId: info.ID, containerName: inspect.Name.replace(/^\//, ''),
      containerId: inspect.Id, shortId: inspect.Id.slice(0, 12), hostnameInside: null, matches: false, error: null,
    };
    try {
      const r = await runInContainer(d, inspect.Id, ['hostname'], signal);
      if (r.exitCode === 0) step.hostnameInside = r.stdout.trim();
      else step.error = `hostname exited with ${r.exitCode}: ${r.stderr.trim()}`;
    } catch (err) {
      step.error = classifyError(err, step.containerName).userMessage;
    }
    step.matches = step.hostnameInside === step.shortId;
    return step;
  }));
  return { levels: steps };
}
