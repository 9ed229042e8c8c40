import { DockerLevelsError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';

/** One port a container exposes or publishes at its own level. */
export interface ContainerPort {
  port: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  /** Where its own daemon publishes it, if anywhere ("0.0.0.0:8080"). */
  published: { hostIp: string; hostPort: number }[];
}

/** A lying level could list ports without end; a real container has a handful. */
export const MAX_PORTS_PER_CONTAINER = 1000;

/** The ports people open in a browser first, best first (as Container Tools does). */
export const COMMON_WEB_PORTS: readonly number[] = [80, 443, 8080, 8443, 3000, 5000, 8000, 8888, 4200, 5173, 9000];

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

export function isPortNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

function add(map: Map<string, ContainerPort>, port: number, protocol: string, published?: { hostIp: string; hostPort: number }): void {
  if (!isPortNumber(port) || !PROTOCOLS.has(protocol)) return;
  const key = `${port}/${protocol}`;
  let entry = map.get(key);
  if (!entry) {
    if (map.size >= MAX_PORTS_PER_CONTAINER) return;
    entry = { port, protocol: protocol as ContainerPort['protocol'], published: [] };
    map.set(key, entry);
  }
  if (published && entry.published.length < 16 && !entry.published.some((p) => p.hostIp === published.hostIp && p.hostPort === published.hostPort)) {
    entry.published.push(published);
  }
}

function sorted(map: Map<string, ContainerPort>): ContainerPort[] {
  return [...map.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** Ports from a listing entry (GET /containers/json `Ports`, already shape-checked there): no extra request. */
export function portsFromListing(ports: readonly { PrivatePort: number; PublicPort?: number; Type: string; IP?: string }[] | null | undefined): ContainerPort[] {
  const map = new Map<string, ContainerPort>();
  for (const p of (ports ?? []).slice(0, MAX_PORTS_PER_CONTAINER * 4)) {
    add(map, p.PrivatePort, p.Type, isPortNumber(p.PublicPort) ? { hostIp: typeof p.IP === 'string' ? p.IP : '', hostPort: p.PublicPort } : undefined);
  }
  return sorted(map);
}

const PORT_KEY = /^(\d{1,5})\/(tcp|udp|sctp)$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Ports from an inspect answer: Config.ExposedPorts and NetworkSettings.Ports. Whatever does
 * not have the documented shape is left out; the count is bounded.
 */
export function portsFromInspect(body: unknown): ContainerPort[] {
  const map = new Map<string, ContainerPort>();
  if (!isObject(body)) return [];
  const exposed = isObject(body.Config) ? body.Config.ExposedPorts : undefined;
  if (isObject(exposed)) {
    for (const key of Object.keys(exposed).slice(0, MAX_PORTS_PER_CONTAINER * 4)) {
      const m = PORT_KEY.exec(key);
      if (m) add(map, Number(m[1]), m[2]);
    }
  }
  const bindings = isObject(body.NetworkSettings) ? body.NetworkSettings.Ports : undefined;
  if (isObject(bindings)) {
    for (const [key, list] of Object.entries(bindings).slice(0, MAX_PORTS_PER_CONTAINER * 4)) {
      const m = PORT_KEY.exec(key);
      if (!m) continue;
      add(map, Number(m[1]), m[2]);
      if (!Array.isArray(list)) continue;
      for (const b of list.slice(0, 16)) {
        if (isObject(b) && typeof b.HostIp === 'string' && typeof b.HostPort === 'string' && isPortNumber(Number(b.HostPort))) {
          add(map, Number(m[1]), m[2], { hostIp: b.HostIp, hostPort: Number(b.HostPort) });
        }
      }
    }
  }
  return sorted(map);
}

/** "80/tcp → 0.0.0.0:8080", daemon text shown as data. */
export function describePort(p: ContainerPort): string {
  const published = p.published.map((b) => `${displayText(b.hostIp || '*', 64)}:${b.hostPort}`).join(', ');
  return published ? `${p.port}/${p.protocol} → ${published}` : `${p.port}/${p.protocol}`;
}

/** A short list for a tree description: "80/tcp, 443/tcp, +3". */
export function describePorts(ports: readonly ContainerPort[], max = 3): string {
  const shown = ports.slice(0, max).map((p) => `${p.port}/${p.protocol}`);
  if (ports.length > max) shown.push(`+${ports.length - max}`);
  return shown.join(', ');
}

/** The TCP port most likely to be a web page: a common web port first, else the lowest. */
export function preferredWebPort(ports: readonly ContainerPort[]): number | undefined {
  const tcp = ports.filter((p) => p.protocol === 'tcp');
  for (const common of COMMON_WEB_PORTS) if (tcp.some((p) => p.port === common)) return common;
  return tcp[0]?.port;
}

/** The TCP ports to offer, common web ports first. */
export function rankWebPorts(ports: readonly ContainerPort[]): ContainerPort[] {
  const rank = (p: ContainerPort) => { const i = COMMON_WEB_PORTS.indexOf(p.port); return i < 0 ? COMMON_WEB_PORTS.length : i; };
  return ports.filter((p) => p.protocol === 'tcp').sort((a, b) => rank(a) - rank(b) || a.port - b.port);
}

export interface PortSpec {
  /** The local port asked for; undefined for a free one. */
  localPort?: number;
  port: number;
}

/**
 * The refusal for a port of another protocol than TCP: the relays carry byte streams, and a
 * datagram protocol would need its own (socat UDP relays, framing over the exec stream).
 */
export function protocolRefusal(protocol: string, port?: number, containerName?: string): DockerLevelsError {
  const which = protocol.toUpperCase();
  const what = port === undefined ? '' : containerName ? `Port ${port}/${protocol} of container ${containerName}: ` : `Port ${port}/${protocol}: `;
  // Asked for in so many words: bad input; found on the container (it has no TCP port of that number): a missing port.
  return new DockerLevelsError(containerName ? 'notFound' : 'badInput', `${what}${which} ports cannot be forwarded yet.`,
    'Docker Levels forwards TCP ports only; reach a UDP service from a shell in its level (Open Terminal).');
}

/** "[LOCAL:]PORT[/tcp]", as the CLI and the input box take it; "0:80" also means a free local port. */
export function parsePortSpec(text: string): PortSpec {
  const m = /^\s*(?:(\d{1,5}):)?(\d{1,5})(?:\/(tcp|udp|sctp))?\s*$/i.exec(text);
  const bad = () => new DockerLevelsError('badInput', `"${displayText(text, 40)}" is not a port.`,
    'Give PORT or LOCAL:PORT, each from 1 to 65535 (LOCAL 0 or left out: any free port), e.g. 8080:80.');
  if (!m) throw bad();
  const port = Number(m[2]);
  const local = m[1] === undefined ? undefined : Number(m[1]);
  if (!isPortNumber(port) || (local !== undefined && local !== 0 && !isPortNumber(local))) throw bad();
  const protocol = (m[3] ?? 'tcp').toLowerCase();
  if (protocol !== 'tcp') throw protocolRefusal(protocol, port);
  return { port, localPort: local || undefined };
}

/** A container's ports from its own daemon (inspect, shape-checked). */
export async function readContainerPorts(daemon: DaemonLevel, containerId: string, signal?: AbortSignal): Promise<ContainerPort[]> {
  const body = await daemon.getJson('Reading ports', `/containers/${encodeURIComponent(containerId)}/json`, signal);
  return portsFromInspect(body);
}
