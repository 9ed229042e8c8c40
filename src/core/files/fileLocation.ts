import { DockerLevelsError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import type { Levels } from '../levels/levels';
import { resolveContainerPath } from '../levels/levelPath';
import { normalizeContainerPath } from './containerPath';

/**
 * Where a file lives: a root, the chain of dind containers down to the container's daemon,
 * the container, and the path inside it. As a URI (the extension's scheme):
 *   docker-levels://local+dl-bed-l1+dl-bed-l2+dl-bed-l3/dl-bed-web3/etc/hostname
 * The authority is the root's id and the level chain joined by "+" (a character container
 * names cannot hold); the first path segment is the container; the rest is its path.
 * So an editor tab's path says where its file lives.
 */
export interface FileLocation {
  rootId: string;
  /** Names (or IDs) of the dind containers from the root down. */
  chain: string[];
  container: string;
  path: string;
}

export const FILES_SCHEME = 'docker-levels';

export function formatFileAuthority(rootId: string, chain: readonly string[]): string {
  return [rootId, ...chain].map((s) => encodeURIComponent(s)).join('+');
}

/** The authority and path of a URI (already decoded by the URI library) as a location. */
export function parseFileLocation(authority: string, uriPath: string): FileLocation {
  const parts = authority.split('+').map((s) => decodeURIComponent(s));
  if (!authority || parts.some((p) => !p)) {
    throw new DockerLevelsError('badInput', `"${authority}" is not a level chain: expected ROOT+LEVEL+LEVEL…, e.g. local+l1+l2.`);
  }
  const segments = uriPath.split('/').filter(Boolean);
  if (segments.length === 0) throw new DockerLevelsError('badInput', 'The URI names no container: expected /CONTAINER/PATH.');
  return { rootId: parts[0], chain: parts.slice(1), container: segments[0], path: normalizeContainerPath(segments.slice(1).join('/')) };
}

/** The URI path part of a location: "/CONTAINER/PATH". */
export function formatFileUriPath(container: string, path: string): string {
  const abs = normalizeContainerPath(path);
  return `/${container}${abs === '/' ? '/' : abs}`;
}

/** The daemon and container a location names, through the registry (levels opened as needed). */
export async function resolveFileLocation(levels: Levels, location: Pick<FileLocation, 'rootId' | 'chain' | 'container'>,
  signal?: AbortSignal): Promise<{ daemon: DaemonLevel; containerId: string; containerName: string }> {
  const root = levels.roots().find((r) => r.root.id === location.rootId);
  if (!root) throw new DockerLevelsError('notFound', `No root daemon "${location.rootId}" is configured.`, 'Check dockerLevels.endpoints.');
  const { daemon, container } = await resolveContainerPath(levels, root, [...location.chain, location.container].join('/'), signal);
  return { daemon, containerId: container.Id, containerName: (container.Names?.[0] ?? container.Id).replace(/^\//, '') };
}
