import type Docker from 'dockerode';
import { DockerLevelsError, classifyError } from '../errors';
import { Connection, describeConnection, isLocalConnection, TlsMaterial } from '../endpoints/endpoint';
import type { Logger } from '../log';
import { createDockerClient, destroyDockerClient } from '../transport/dockerClient';
import { ExecTunnelAgent } from '../transport/execTunnel';
import { isOnLocalInterface } from '../transport/routes';
import { CertificateRoute, readClientCertsFromContainer } from '../transport/tlsCerts';
import { DaemonInfo, DaemonLevel, NestedTransportKind, TransportInfo } from './daemonLevel';
import { containerName, LABELS, PLAIN_DAEMON_PORT, TLS_DAEMON_PORT } from './discovery';
import { childLevelId } from './ids';
import { assertOwnDaemon, PassesOnAncestorError } from './levelIdentity';
import { displayText } from '../untrusted/displayText';

export interface ConnectOptions {
  order: readonly NestedTransportKind[];
  timeoutMs: number;
  log: Logger;
  signal?: AbortSignal;
  /** How a TLS level's client certificates are read (tlsCerts.ts); `auto` when not given. */
  certificateRoute?: CertificateRoute;
  /** Certificates read before, by level id (Levels keeps them in memory): a level opened again reads none. */
  certificates?: Map<string, TlsMaterial>;
}

/** What inspect tells about where a dind container's daemon listens. */
export interface DaemonPorts {
  plainPort?: number;
  tlsPort?: number;
  /** Host port bindings per container port, as the parent daemon published them. */
  published: Map<number, { hostIp: string; hostPort: number }>;
  ip?: string;
}

export function daemonPortsOf(inspect: Docker.ContainerInspectInfo): DaemonPorts {
  const env = new Map((inspect.Config.Env ?? []).map((e) => {
    const i = e.indexOf('=');
    return [e.slice(0, i), e.slice(i + 1)] as const;
  }));
  const labels = inspect.Config.Labels ?? {};
  const exposed = new Set(Object.keys(inspect.Config.ExposedPorts ?? {}).map((k) => Number(k.split('/')[0])));
  const published = new Map<number, { hostIp: string; hostPort: number }>();
  for (const [key, bindings] of Object.entries(inspect.NetworkSettings.Ports ?? {})) {
    const b = bindings?.find((x) => x.HostPort);
    if (b && key.endsWith('/tcp')) published.set(Number(key.split('/')[0]), { hostIp: b.HostIp, hostPort: Number(b.HostPort) });
  }
  const tlsMode = labels[LABELS.tls] === 'true' || (!!env.get('DOCKER_TLS_CERTDIR') && !env.get('PORT'));
  const labelPort = labels[LABELS.port] ? Number(labels[LABELS.port]) : undefined;
  // On a level Docker Levels started, its labels say where the daemon listens: no port label
  // means no TCP listener at all (tunnel mode), whatever the image exposes.
  const ours = labels[LABELS.level] === 'true';
  let plainPort: number | undefined;
  let tlsPort: number | undefined;
  if (tlsMode) {
    tlsPort = labelPort ?? TLS_DAEMON_PORT;
  } else {
    plainPort = env.get('PORT') ? Number(env.get('PORT')) : labelPort
      ?? (!ours && (exposed.has(PLAIN_DAEMON_PORT) || published.has(PLAIN_DAEMON_PORT)) ? PLAIN_DAEMON_PORT : undefined);
  }
  const networks = Object.values(inspect.NetworkSettings.Networks ?? {});
  const ip = networks.map((n) => n.IPAddress).find((a) => !!a) || (inspect.NetworkSettings as { IPAddress?: string }).IPAddress || undefined;
  return { plainPort, tlsPort, published, ip };
}

interface Candidate {
  kind: NestedTransportKind;
  describe: string;
  /** Makes the connection; may read certificates (`fresh`: not the ones kept from before) or open a tunnel. */
  connection(fresh: boolean): Promise<{ connection: Connection; routable?: string; keptCertificates?: boolean }>;
}

/** Binding that can be dialled on the parent's routable address. */
function usableBinding(parent: DaemonLevel, ports: DaemonPorts, port: number | undefined): { host: string; port: number } | undefined {
  if (port === undefined || !parent.routableAddress) return undefined;
  const b = ports.published.get(port);
  if (!b) return undefined;
  if (!parent.publishedPortsReachable) return undefined;
  // A loopback binding is only reachable from inside the parent's own network namespace,
  // which is this machine only when the parent is the local daemon.
  const loopbackOnly = b.hostIp.startsWith('127.') || b.hostIp === '::1';
  if (loopbackOnly) return parent.routableAddress.startsWith('127.') ? { host: '127.0.0.1', port: b.hostPort } : undefined;
  return { host: parent.routableAddress, port: b.hostPort };
}

/** The container's bridge address, only when it is on one of this machine's own interfaces. */
function routableBridgeIp(parent: DaemonLevel, ports: DaemonPorts): string | undefined {
  const parentIsHere = parent.isRoot && isLocalConnection(parent.root.connection);
  return parentIsHere && ports.ip && isOnLocalInterface(ports.ip) ? ports.ip : undefined;
}

function candidatesFor(parent: DaemonLevel, id: string, name: string, ports: DaemonPorts, opts: ConnectOptions): Candidate[] {
  const bridgeIp = routableBridgeIp(parent, ports);
  const all: Candidate[] = [];
  for (const kind of opts.order) {
    if (kind === 'published') {
      const b = usableBinding(parent, ports, ports.plainPort);
      if (b) all.push({ kind, describe: `tcp://${b.host}:${b.port}`, connection: async () => ({ connection: { kind: 'tcp', ...b }, routable: bridgeIp }) });
    } else if (kind === 'bridge') {
      if (bridgeIp && ports.plainPort) {
        const port = ports.plainPort;
        all.push({ kind, describe: `tcp://${bridgeIp}:${port}`, connection: async () => ({ connection: { kind: 'tcp', host: bridgeIp, port }, routable: bridgeIp }) });
      }
    } else if (kind === 'tls') {
      const b = usableBinding(parent, ports, ports.tlsPort) ?? (bridgeIp && ports.tlsPort ? { host: bridgeIp, port: ports.tlsPort } : undefined);
      if (b) {
        all.push({
          kind, describe: `tls://${b.host}:${b.port}`,
          connection: async (fresh) => {
            const key = childLevelId(parent.id, id);
            const kept = fresh ? undefined : opts.certificates?.get(key);
            const tls = kept ?? await readClientCertsFromContainer(parent.docker, id, opts.timeoutMs, opts.signal, undefined, opts.certificateRoute);
            opts.certificates?.set(key, tls);
            return { connection: { kind: 'tcp', ...b, tls }, routable: bridgeIp, keptCertificates: !!kept };
          },
        });
      }
    } else if (kind === 'tunnel') {
      all.push({
        kind, describe: 'exec tunnel',
        connection: async () => ({
          connection: { kind: 'agent', agent: new ExecTunnelAgent(parent.docker, id, opts.timeoutMs, opts.log, name), description: 'exec tunnel' },
          routable: bridgeIp,
        }),
      });
    }
  }
  return all;
}

/** A level just reached, with the /info that proved it is the container's own daemon. */
export interface OpenedLevel {
  level: DaemonLevel;
  info: DaemonInfo;
}

/**
 * Reaches the daemon inside a container of `parent`, trying transports in the configured
 * order and keeping the first whose /info shows the container's own daemon (levelIdentity.ts).
 */
export async function connectNestedLevel(parent: DaemonLevel, containerId: string, opts: ConnectOptions): Promise<OpenedLevel> {
  const inspect = await parent.inspectContainer(containerId, opts.signal);
  const name = containerName({ Names: [inspect.Name], Id: inspect.Id });
  // Daemon text in a message is shown as data: a lying level's name cannot forge a line.
  const shown = displayText(name, 200);
  if (!inspect.State.Running) {
    throw new DockerLevelsError('unreachable', `Container ${shown} is ${displayText(inspect.State.Status, 40)}; its daemon is not running.`, 'Start the container first.');
  }
  const ports = daemonPortsOf(inspect);
  const chain = [...parent.chain, { id: inspect.Id, name }];
  const failures: { kind: NestedTransportKind; error: DockerLevelsError }[] = [];
  for (const candidate of candidatesFor(parent, inspect.Id, name, ports, opts)) {
    // Certificates kept from an earlier opening that no longer work (the level made new ones) are read again, once.
    for (let fresh = false; ; fresh = true) {
      let docker: Docker | undefined;
      let kept = false;
      try {
        const made = await candidate.connection(fresh);
        kept = !!made.keptCertificates;
        docker = createDockerClient(made.connection);
        const opened = await openOn(parent, candidate, made.connection, made.routable, docker, chain, name, inspect, opts);
        opts.log.info(`reached ${opened.level.path} by ${candidate.kind} (${candidate.describe})${kept ? ', certificates kept from before' : ''}`);
        return opened;
      } catch (err) {
        if (docker) destroyDockerClient(docker);
        const error = classifyError(err, `${shown} by ${candidate.kind}`);
        if (error.kind === 'cancelled' || error instanceof PassesOnAncestorError) throw error;
        if (kept && error.kind === 'tls') {
          opts.certificates?.delete(childLevelId(parent.id, inspect.Id));
          opts.log.debug(`${shown}: ${candidate.kind} with the kept certificates failed (${error.message}); reading them again`);
          continue;
        }
        opts.log.debug(`${shown}: ${candidate.kind} failed: ${error.message}`);
        failures.push({ kind: candidate.kind, error });
        break;
      }
    }
  }
  throw unreachableLevel(shown, failures, opts.order);
}

/** A client on one candidate's connection, kept only when its /info is the container's own daemon. */
async function openOn(parent: DaemonLevel, candidate: Candidate, connection: Connection, routable: string | undefined, docker: Docker,
  chain: DaemonLevel['chain'], name: string, inspect: Docker.ContainerInspectInfo, opts: ConnectOptions): Promise<OpenedLevel> {
  const transport: TransportInfo = {
    kind: candidate.kind,
    address: candidate.kind === 'tunnel' ? `${describeConnection(connection)} via ${name}` : candidate.describe,
    tcpRoute: candidate.kind === 'tunnel' ? undefined : candidate.describe,
  };
  const level = new DaemonLevel({
    root: parent.root, chain, docker, transport, parent, routableAddress: routable, timeoutMs: opts.timeoutMs,
    publishedPortsReachable: !!routable, connection,
  });
  const info = await level.info(opts.signal);
  await assertOwnDaemon(level, info, inspect, candidate.kind, candidate.describe);
  return { level, info };
}

function unreachableLevel(name: string, failures: { kind: NestedTransportKind; error: DockerLevelsError }[],
  order: readonly NestedTransportKind[]): DockerLevelsError {
  if (failures.length === 0) {
    return new DockerLevelsError('unreachable', `No transport in [${order.join(', ')}] applies to ${name}.`,
      'Add "tunnel" to dockerLevels.transportOrder, or publish the daemon port.');
  }
  const tunnel = failures.find((f) => f.kind === 'tunnel');
  const onlyNoDaemon = failures.every((f) => f.error.kind === 'notADaemon' || f.error.kind === 'unreachable');
  if (tunnel?.error.kind === 'notADaemon' && onlyNoDaemon) return tunnel.error;
  // Nothing listens where TCP was tried, and the tunnel lacks its tools: the tunnel's advice is what helps.
  if (tunnel?.error.kind === 'noTunnelTool' && failures.every((f) => f === tunnel || f.error.kind === 'unreachable')) {
    const others = failures.filter((f) => f !== tunnel).map((f) => `${f.kind}: ${f.error.message}`).join('; ');
    return new DockerLevelsError('noTunnelTool', others ? `${tunnel.error.message} (Also tried ${others})` : tunnel.error.message,
      tunnel.error.hint, tunnel.error);
  }
  if (failures.length === 1) return failures[0].error;
  const detail = failures.map((f) => `${f.kind}: ${f.error.message}`).join('; ');
  const kind = failures.some((f) => f.error.kind === 'timeout') ? 'timeout' : tunnel?.error.kind === 'noTunnelTool' ? 'noTunnelTool' : 'unreachable';
  return new DockerLevelsError(kind, `Cannot reach the daemon inside ${name}. ${detail}`,
    'Check that its daemon is running; Show Log has each attempt.');
}
