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
  /**
   * Made to run one (our label, a dind image label, docker:dind itself): when its daemon does
   * not answer, that is a failure to report, not a sign that it is a plain container.
   */
  certain: boolean;
}

const DIND_IMAGE = /(^|[/:_-])dind([:@_-]|$)|(^|\/)docker:([\w.-]*-)?dind/i;
const OFFICIAL_DIND_IMAGE = /^(docker\.io\/)?(library\/)?docker:([\w.-]*-)?dind([\w.-]*)?$/i;
const DAEMON_COMMAND = /\b(dockerd|wrapdocker|dockerd-entrypoint|dind)\b/;

/**
 * Decides from listing data alone (no request per container) whether a container runs a
 * Docker daemon of its own. Opening the level confirms it with /info (levelIdentity.ts).
 */
export function daemonHint(c: Docker.ContainerInfo): DaemonHint | undefined {
  const labels = c.Labels ?? {};
  if (labels[LABELS.level]) return { reason: 'started by Docker Levels', certain: true };
  if (labels['docker-levels.dind']) return { reason: 'dind image label', certain: labels['docker-levels.dind'] === 'true' };
  if (DIND_IMAGE.test(c.Image ?? '')) return { reason: `image ${c.Image}`, certain: OFFICIAL_DIND_IMAGE.test(c.Image ?? '') };
  if (DAEMON_COMMAND.test(c.Command ?? '')) return { reason: `command ${c.Command}`, certain: false };
  const daemonPort = (c.Ports ?? []).find((p) => p.PrivatePort === PLAIN_DAEMON_PORT || p.PrivatePort === TLS_DAEMON_PORT);
  if (daemonPort) return { reason: `port ${daemonPort.PrivatePort}`, certain: false };
  return undefined;
}

export function isRunning(c: Pick<Docker.ContainerInfo, 'State'>): boolean {
  return c.State === 'running';
}

/** The name the user knows a container by, without the leading slash. */
export function containerName(c: Pick<Docker.ContainerInfo, 'Names' | 'Id'>): string {
  return (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
}
