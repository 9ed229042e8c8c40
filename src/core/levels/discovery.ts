import type Docker from 'dockerode';

/** Labels Docker Levels writes on the levels it starts. */
export const LABELS = {
  level: 'docker-levels.level',
  parent: 'docker-levels.parent',
  port: 'docker-levels.port',
  tls: 'docker-levels.tls',
} as const;

export const PLAIN_DAEMON_PORT = 2375;
export const TLS_DAEMON_PORT = 2376;

export interface DaemonHint {
  /** Why the container looks like it runs a daemon (shown in tooltips and logs). */
  reason: string;
}

const DIND_IMAGE = /(^|[/:_-])dind([:@_-]|$)|(^|\/)docker:([\w.-]*-)?dind/i;
const DAEMON_COMMAND = /\b(dockerd|wrapdocker|dockerd-entrypoint|dind)\b/;

/**
 * Decides from listing data alone (no request per container) whether a container runs a
 * Docker daemon of its own. Opening the level confirms it with /_ping.
 */
export function daemonHint(c: Docker.ContainerInfo): DaemonHint | undefined {
  const labels = c.Labels ?? {};
  if (labels[LABELS.level]) return { reason: 'started by Docker Levels' };
  if (labels['docker-levels.dind']) return { reason: 'dind image label' };
  if (DIND_IMAGE.test(c.Image ?? '')) return { reason: `image ${c.Image}` };
  if (DAEMON_COMMAND.test(c.Command ?? '')) return { reason: `command ${c.Command}` };
  const daemonPort = (c.Ports ?? []).find((p) => p.PrivatePort === PLAIN_DAEMON_PORT || p.PrivatePort === TLS_DAEMON_PORT);
  if (daemonPort) return { reason: `port ${daemonPort.PrivatePort}` };
  return undefined;
}

export function isRunning(c: Pick<Docker.ContainerInfo, 'State'>): boolean {
  return c.State === 'running';
}

/** The name the user knows a container by, without the leading slash. */
export function containerName(c: Pick<Docker.ContainerInfo, 'Names' | 'Id'>): string {
  return (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
}
