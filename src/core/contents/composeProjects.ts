import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { DockerLevelsError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { containerName } from '../levels/discovery';
import type { Levels } from '../levels/levels';
import { changeContainerState, LifecycleAction, removeContainer } from '../actions/containerLifecycle';
import { followContainerLogs, inspectContainer, LogFollow } from '../actions/containerReads';
import { displayText } from '../untrusted/displayText';

/** The label Docker Compose puts on every container it creates. */
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

export interface ComposeProject {
  name: string;
  containers: Docker.ContainerInfo[];
}

export interface ComposeGrouping {
  /** Sorted by name; containers in the daemon's order. */
  projects: ComposeProject[];
  /** Containers without the label, in the daemon's order. */
  ungrouped: Docker.ContainerInfo[];
}

/** Groups a listing by the compose project label; an empty label counts as none. */
export function groupByComposeProject(containers: readonly Docker.ContainerInfo[]): ComposeGrouping {
  const byName = new Map<string, Docker.ContainerInfo[]>();
  const ungrouped: Docker.ContainerInfo[] = [];
  for (const c of containers) {
    const project = c.Labels?.[COMPOSE_PROJECT_LABEL];
    if (typeof project === 'string' && project) {
      const list = byName.get(project) ?? [];
      list.push(c);
      byName.set(project, list);
    } else {
      ungrouped.push(c);
    }
  }
  const projects = [...byName].map(([name, list]) => ({ name, containers: list })).sort((a, b) => a.name.localeCompare(b.name));
  return { projects, ungrouped };
}

/** The containers of one project at a level, listed now (the group acts on what is there, not on a stale view). */
export async function composeProjectContainers(daemon: DaemonLevel, project: string, signal?: AbortSignal): Promise<Docker.ContainerInfo[]> {
  return (await daemon.listContainers(true, signal)).filter((c) => c.Labels?.[COMPOSE_PROJECT_LABEL] === project);
}

export type ProjectAction = LifecycleAction | 'remove';

/** What a group action did: each container's outcome, so one failure does not hide the others. */
export interface ProjectActionResult {
  done: string[];
  failed: { name: string; message: string }[];
}

/**
 * Start, stop, restart or remove every container of a compose project at a level. All are
 * tried; when any fails, the error names each one that failed and says which succeeded.
 */
export async function changeProjectState(levels: Levels, daemon: DaemonLevel, project: string, action: ProjectAction,
  signal?: AbortSignal): Promise<ProjectActionResult> {
  const containers = await composeProjectContainers(daemon, project, signal);
  if (!containers.length) {
    throw new DockerLevelsError('notFound', `No container of the compose project ${displayText(project, 80)} is on ${daemon.what}.`, 'Refresh the tree.');
  }
  const result: ProjectActionResult = { done: [], failed: [] };
  await Promise.all(containers.map(async (c) => {
    const name = containerName(c);
    try {
      if (action === 'remove') await removeContainer(levels, daemon, c.Id, { force: true, signal });
      else await changeContainerState(daemon, c.Id, action, signal);
      result.done.push(name);
    } catch (err) {
      result.failed.push({ name, message: err instanceof DockerLevelsError ? err.message : String(err) });
    }
  }));
  result.done.sort();
  if (result.failed.length) {
    const failed = result.failed.map((f) => `${displayText(f.name, 80)} (${displayText(f.message, 300)})`).join('; ');
    throw new DockerLevelsError('unknown', `${action} of compose project ${displayText(project, 80)} failed for ${failed}.`,
      result.done.length ? `Done for ${result.done.map((n) => displayText(n, 80)).join(', ')}.` : undefined);
  }
  return result;
}

/**
 * Follows the logs of every container of a project as one text stream, each line prefixed
 * with its container's name (as `docker compose logs` does). Disposing closes every stream.
 */
export async function followProjectLogs(daemon: DaemonLevel, project: string, options: { tail?: number; signal?: AbortSignal } = {}): Promise<LogFollow> {
  const containers = await composeProjectContainers(daemon, project, options.signal);
  if (!containers.length) {
    throw new DockerLevelsError('notFound', `No container of the compose project ${displayText(project, 80)} is on ${daemon.what}.`, 'Refresh the tree.');
  }
  const output = new PassThrough();
  const follows: LogFollow[] = [];
  const dispose = () => {
    for (const f of follows) f.dispose();
    output.destroy();
  };
  try {
    const width = Math.min(30, Math.max(...containers.map((c) => containerName(c).length)));
    let open = containers.length;
    for (const c of containers) {
      const tty = !!(await inspectContainer(daemon, c.Id, options.signal)).Config?.Tty;
      const follow = await followContainerLogs(daemon, c.Id, tty, options);
      follows.push(follow);
      const prefix = `${displayText(containerName(c), 30).padEnd(width)} | `;
      let partial = '';
      follow.output.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) output.write(`${prefix}${line}\n`);
      });
      follow.output.on('end', () => {
        if (partial) output.write(`${prefix}${partial}\n`);
        partial = '';
      });
      follow.output.on('error', (err) => output.write(`${prefix}(log stream failed: ${displayText(String(err), 200)})\n`));
      // After an end or an error: the merged stream ends with the last of its containers.
      follow.output.on('close', () => { if (--open === 0 && !output.destroyed) output.end(); });
    }
  } catch (err) {
    dispose();
    throw err;
  }
  return { output, dispose };
}
