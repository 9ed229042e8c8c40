import type Docker from 'dockerode';
import { DockerLevelsError } from '../errors';
import type { DaemonLevel } from './daemonLevel';
import { containerName } from './discovery';
import type { Levels } from './levels';

export interface ResolvedContainer {
  /** The daemon the container lives in. */
  daemon: DaemonLevel;
  container: Docker.ContainerInfo;
}

/** Splits "l1/l2/web" into segments; empty segments are an error that names the spot. */
export function parseLevelPath(text: string): string[] {
  const trimmed = text.trim().replace(/^\/+|\/+$/g, '');
  if (!trimmed) return [];
  const parts = trimmed.split('/');
  const empty = parts.findIndex((p) => !p.trim());
  if (empty >= 0) throw new DockerLevelsError('badInput', `Level path "${text}" has an empty segment at position ${empty + 1}.`);
  return parts.map((p) => p.trim());
}

/** One segment: an exact container name, else a unique ID prefix. */
export function matchContainer(containers: readonly Docker.ContainerInfo[], segment: string, where: string): Docker.ContainerInfo {
  const byName = containers.find((c) => containerName(c) === segment);
  if (byName) return byName;
  const byId = /^[0-9a-f]+$/i.test(segment) ? containers.filter((c) => c.Id.startsWith(segment.toLowerCase())) : [];
  if (byId.length === 1) return byId[0];
  if (byId.length > 1) {
    throw new DockerLevelsError('badInput', `"${segment}" matches ${byId.length} containers on ${where}: ${byId.map(containerName).join(', ')}.`,
      'Use a longer ID prefix or the name.');
  }
  const names = containers.map(containerName).slice(0, 10).join(', ');
  throw new DockerLevelsError('notFound', `No container "${segment}" on ${where}.`, names ? `It has: ${names}.` : 'It has no containers.');
}

/** Resolves a path whose last segment is a container (a leaf or a level). */
export async function resolveContainerPath(levels: Levels, root: DaemonLevel, text: string, signal?: AbortSignal): Promise<ResolvedContainer> {
  const segments = parseLevelPath(text);
  if (segments.length === 0) throw new DockerLevelsError('badInput', 'The path is empty; name a container, e.g. l1/l2/web.');
  let daemon = root;
  for (let i = 0; ; i++) {
    const where = daemon.isRoot ? `daemon ${daemon.root.label}` : `level ${daemon.path}`;
    const container = matchContainer(await daemon.listContainers(true, signal), segments[i], where);
    if (i === segments.length - 1) return { daemon, container };
    daemon = await levels.openLevel(daemon, container.Id, signal);
  }
}

/** Resolves a path to a daemon: empty is the root, else the daemon inside the last container. */
export async function resolveDaemonPath(levels: Levels, root: DaemonLevel, text: string, signal?: AbortSignal): Promise<DaemonLevel> {
  if (parseLevelPath(text).length === 0) return root;
  const { daemon, container } = await resolveContainerPath(levels, root, text, signal);
  return levels.openLevel(daemon, container.Id, signal);
}
