/**
 * Every id Docker Levels builds, in one place.
 *
 * - A level: the root endpoint's id (URI-encoded, it may hold '/'), then the full container
 *   IDs from the root down, joined by '/': "local/4f…/9a…".
 * - A container in the tree: its daemon's level id, '#', its full container ID.
 * - A root daemon in the tree: "root:" and the endpoint's id.
 */
export function levelId(rootId: string, chain: readonly { id: string }[]): string {
  return [encodeURIComponent(rootId), ...chain.map((c) => c.id)].join('/');
}

/** The level inside `containerId`, a container of the level `parentLevelId`. */
export function childLevelId(parentLevelId: string, containerId: string): string {
  return `${parentLevelId}/${containerId}`;
}

/** Whether `id` is the level `levelId` itself or a level somewhere below it. */
export function isAtOrBelowLevel(id: string, levelId: string): boolean {
  return id === levelId || id.startsWith(`${levelId}/`);
}

/** The root endpoint id a level id starts from. */
export function rootIdOfLevel(levelId: string): string {
  return decodeURIComponent(levelId.split('/')[0]);
}

/** Whether a level id is a root daemon's (no container chain). */
export function isRootLevelId(levelId: string): boolean {
  return !levelId.includes('/');
}

/** The tree id of a container on the daemon `daemonLevelId`. */
export function containerNodeId(daemonLevelId: string, containerId: string): string {
  return `${daemonLevelId}#${containerId}`;
}

/** The tree id of a root daemon's node. */
export function rootNodeId(endpointId: string): string {
  return `root:${endpointId}`;
}

/** The tree id of a container's Ports group (`containerTreeId` from containerNodeId). */
export function portsGroupNodeId(containerTreeId: string): string {
  return `${containerTreeId}#ports`;
}

/** The tree id of one port of a container: "…#ports/80/tcp". */
export function portNodeId(containerTreeId: string, port: number, protocol: string): string {
  return `${portsGroupNodeId(containerTreeId)}/${port}/${protocol}`;
}

/** The tree id of a container's Files row, under the container's node id. */
export function filesNodeId(containerNodeId: string): string {
  return `${containerNodeId}#files`;
}

/** The tree id of a file or directory (an absolute path) under a Files row. */
export function containerPathNodeId(filesNodeId: string, path: string): string {
  return `${filesNodeId}:${path}`;
}
