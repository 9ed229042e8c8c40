import * as net from 'node:net';
import { classifyError, DockerLevelsError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where a relay dials, read afresh from the container's own daemon. */
export interface RelayAddress {
  /** The container's full ID, as its daemon confirmed it. */
  id: string;
  name: string;
  /** An IPv4 address in the network namespace of the dind container (or root host) that runs it. */
  ip: string;
}

/**
 * GET /containers/{id}/json, bounded and
 * classified. A level is hostile: what comes back is checked by the caller before use.
 */
export async function inspectBounded(daemon: DaemonLevel, containerId: string, signal?: AbortSignal): Promise<unknown> {
  return daemon.getJson('Inspecting container', `/containers/${encodeURIComponent(containerId)}/json`, signal);
}

function firstIp(networks: unknown, family: 'IPAddress' | 'GlobalIPv6Address'): string | undefined {
  if (!isObject(networks)) return undefined;
  for (const n of Object.values(networks).slice(0, 64)) {
    const ip = isObject(n) ? n[family] : undefined;
    if (typeof ip === 'string' && (family === 'IPAddress' ? net.isIPv4(ip) : net.isIPv6(ip))) return ip;
  }
  return undefined;
}

/**
 * Checks that `containerId` is still the container the forward was opened for and runs, and
 * finds the address a relay beside it dials. Asked before every relay: a container that was
 * replaced (same name, new ID) or stopped gets no traffic.
 */
export async function resolveRelayAddress(daemon: DaemonLevel, containerId: string, signal?: AbortSignal): Promise<RelayAddress> {
  let body: unknown;
  try {
    body = await inspectBounded(daemon, containerId, signal);
  } catch (err) {
    const e = classifyError(err, daemon.what);
    if (e.kind === 'notFound') {
      throw new DockerLevelsError('notFound', `The container ${containerId.slice(0, 12)} is gone from ${daemon.what}.`,
        'It was removed or replaced: forward the port of the new container.', err);
    }
    throw e;
  }
  if (!isObject(body) || typeof body.Id !== 'string' || !isObject(body.State)) {
    throw new DockerLevelsError('notADaemon', `The ${daemon.what} answered an inspect that is not the Docker Engine API.`,
      'Whatever serves it is not a Docker daemon, or it lies: no traffic is sent.');
  }
  const name = typeof body.Name === 'string' ? displayText(body.Name.replace(/^\//, ''), 128) : containerId.slice(0, 12);
  if (body.Id !== containerId) {
    throw new DockerLevelsError('notADaemon', `${daemon.what} answered for another container than ${containerId.slice(0, 12)}.`,
      'No traffic is sent to a container the forward was not opened for.');
  }
  if (body.State.Running !== true || body.State.Paused === true) {
    const status = typeof body.State.Status === 'string' ? displayText(body.State.Status, 32) : 'not running';
    throw new DockerLevelsError('conflict', `Container ${name} is ${status}, so nothing listens on its ports.`,
      'Start it, then forward the port again.');
  }
  const mode = isObject(body.HostConfig) && typeof body.HostConfig.NetworkMode === 'string' ? body.HostConfig.NetworkMode : '';
  // Sharing another container's namespace: that one holds the address.
  const shared = /^container:([\w.-]{1,128})$/.exec(mode);
  const owner = shared ? await inspectBounded(daemon, shared[1], signal).catch(() => undefined) : undefined;
  const ip = relayIpOf(body, name, owner);
  return { id: body.Id, name, ip };
}

/**
 * The address a relay beside the container dials, from its inspect answer (and that of the
 * container whose network namespace it shares, if any): the host's loopback with the host's
 * network, else its first IPv4 address. A container with IPv6 addresses only (Docker 27's
 * --ipv4=false networks) is refused by name: the relays dial IPv4.
 */
export function relayIpOf(body: Json, name: string, owner?: unknown): string {
  const hostConfig = isObject(body.HostConfig) ? body.HostConfig : {};
  const mode = typeof hostConfig.NetworkMode === 'string' ? hostConfig.NetworkMode : '';
  // With the host's network, the service listens in the namespace the relay itself runs in.
  if (mode === 'host') return '127.0.0.1';
  const own = isObject(body.NetworkSettings) ? body.NetworkSettings : {};
  const settings = isObject(owner) && isObject(owner.NetworkSettings) ? owner.NetworkSettings : own;
  const ip = firstIp(settings.Networks, 'IPAddress') ?? (typeof settings.IPAddress === 'string' && net.isIPv4(settings.IPAddress) ? settings.IPAddress : undefined);
  if (ip) return ip;
  const v6 = firstIp(settings.Networks, 'GlobalIPv6Address') ?? (typeof settings.GlobalIPv6Address === 'string' && net.isIPv6(settings.GlobalIPv6Address) ? settings.GlobalIPv6Address : undefined);
  if (v6) {
    throw new DockerLevelsError('unreachable', `Container ${name} has an IPv6 address only (${displayText(v6, 64)}): IPv6-only containers cannot be forwarded yet.`,
      'Connect it to a network with IPv4 as well (docker network connect), then forward the port again.');
  }
  throw new DockerLevelsError('unreachable', `Container ${name} has no IPv4 address on any network (network mode ${displayText(mode || 'none', 64)}).`,
    'Connect it to a network (docker network connect) to forward its ports.');
}
