/** Whether the daemon that answered for a container is really that container's own. */
import type Docker from 'dockerode';
import { DockerLevelsError } from '../errors';
import { displayText } from '../untrusted/displayText';
import type { DaemonInfo, DaemonLevel, NestedTransportKind } from './daemonLevel';

/** The container passes on a daemon above it: definitive whatever the transport, no other is tried. */
export class PassesOnAncestorError extends DockerLevelsError {}

/**
 * Whether a container whose level failed to open is shown as a plain container: it runs no
 * daemon and was not made to run one, or it only passes on a daemon above it. A container
 * made to run a daemon (hint.certain) whose daemon does not answer is a failure to show.
 */
export function showsAsPlainContainer(error: DockerLevelsError, certain: boolean): boolean {
  return error.kind === 'notADaemon' && (!certain || error instanceof PassesOnAncestorError);
}

/**
 * The daemon that answered must be the one inside the container. A socket proxy (a
 * docker-socket-proxy on 2375, a bind-mounted /var/run/docker.sock) answers with a daemon
 * above it: opened as a level it would show its own ancestors, without end. And an address
 * can reach another network namespace than the container's (rootless Docker, a reused IP):
 * a daemon reached by address must report the container's host name.
 */
export async function assertOwnDaemon(level: DaemonLevel, info: DaemonInfo, inspect: Docker.ContainerInspectInfo,
  transport: NestedTransportKind, address: string): Promise<void> {
  const name = displayText(level.label, 200);
  if (typeof info !== 'object' || !info || typeof info.ID !== 'string' || !info.ID) {
    // Something answered 2xx (a web page on an exposed 2375, say), but not a Docker daemon.
    throw new DockerLevelsError('notADaemon', `${address} answers, but not as a Docker daemon (no daemon ID in its /info).`);
  }
  for (let above = level.parent; above; above = above.parent) {
    const known = await above.identity();
    // The ID alone can be copied (a key.json or engine-id baked into an image): the host name
    // differs then, while a proxy hands on the very same /info.
    if (info.ID === known.id && info.Name === known.name) {
      const whose = displayText(above.isRoot ? above.root.label : above.path, 200);
      throw new PassesOnAncestorError('notADaemon', `${name} passes on the daemon of ${whose} (the same daemon ID and host name), it runs none of its own.`,
        'It is shown as a plain container.');
    }
  }
  const sharesHostName = inspect.HostConfig?.UTSMode === 'host' || inspect.HostConfig?.NetworkMode === 'host';
  const hostname = inspect.Config.Hostname;
  if (transport !== 'tunnel' && !sharesHostName && hostname && info.Name && info.Name !== hostname) {
    throw new DockerLevelsError('unreachable',
      `${address} answers with the daemon of host "${displayText(info.Name, 80)}", not the one inside ${name} (host name "${displayText(hostname, 80)}").`,
      'A daemon reached by address must report its container\'s host name; the exec tunnel reaches it whatever its host name.');
  }
}
