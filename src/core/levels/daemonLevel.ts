import type Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import { withDeadline } from '../abort';
import { levelId } from './ids';
import { classifyError, DockerLevelsError } from '../errors';
import type { Disposable } from '../disposable';
import type { Connection, RootEndpoint } from '../endpoints/endpoint';
import { Listeners } from '../listeners';
import { destroyDockerClient } from '../transport/dockerClient';
import { ExecTunnelAgent } from '../transport/execTunnel';
import { JsonRequest, jsonRequestFor } from '../transport/jsonRequest';
import { openConnectionStream } from '../transport/rawStream';
import { checkContainerInspect, checkContainerList, checkDaemonInfo } from '../untrusted/engineShapes';
import { assertSameDaemon, type DaemonIdentity } from './identityPin';

/** How a daemon was reached. Roots use their endpoint's kind; nested levels one of the strategies. */
export type RootTransportKind = 'unix' | 'npipe' | 'tcp' | 'tls' | 'ssh' | 'command';
export type NestedTransportKind = 'published' | 'bridge' | 'tls' | 'tunnel';
export const NESTED_TRANSPORTS: readonly NestedTransportKind[] = ['published', 'bridge', 'tls', 'tunnel'];

export interface TransportInfo {
  kind: RootTransportKind | NestedTransportKind;
  /** Where requests go, e.g. "tcp://127.0.0.1:32768" or "exec tunnel via dl-bed-l2". */
  address: string;
  /** A TCP route another tool could use, when one exists: "tcp://…" (plaintext) or "tls://…". */
  tcpRoute?: string;
}

/** A container on the path from a root daemon to a level. */
export interface ContainerRef {
  id: string;
  name: string;
}

/** Stable id of a level: the root's id, then the chain of full container IDs (see ids.ts). */
export { levelId } from './ids';

/** Everything a level is made of; the registry and the connector fill it in. */
export interface DaemonLevelOptions {
  root: RootEndpoint;
  /** Containers from the root down to this level's dind container; empty for a root. */
  chain: readonly ContainerRef[];
  docker: Docker;
  transport: TransportInfo;
  parent: DaemonLevel | undefined;
  /** Address at which this daemon's network namespace is reachable from here, if any. */
  routableAddress: string | undefined;
  timeoutMs: number;
  /** Whether published ports of this daemon's containers can be dialled on routableAddress. */
  publishedPortsReachable: boolean;
  /** How `docker` reaches the daemon; key material stays in memory. */
  connection: Connection;
}

/**
 * One daemon in the tree: a root, or the daemon inside a dind container at some depth.
 * It owns its client (and through it any tunnel streams).
 */
export class DaemonLevel implements Disposable {
  readonly id: string;
  readonly root: RootEndpoint;
  readonly chain: readonly ContainerRef[];
  readonly docker: Docker;
  readonly transport: TransportInfo;
  readonly parent: DaemonLevel | undefined;
  readonly routableAddress: string | undefined;
  readonly timeoutMs: number;
  readonly publishedPortsReachable: boolean;
  readonly connection: Connection;
  private disposed = false;
  private readonly disposeListeners = new Listeners<void>();
  /** Every small request (reads and writes), bounded, on the client's own connection. */
  private readonly jsonRequest: JsonRequest;
  /** The daemon's own ID and host name (from /info): they tell one daemon from another; pinned for nested levels. */
  private knownIdentity: DaemonIdentity | undefined;
  private identityRequest: Promise<DaemonIdentity> | undefined;
  /** Entries of the last container listing that were left out for their shape (a lying level). */
  leftOut: readonly string[] = [];

  constructor(options: DaemonLevelOptions) {
    ({
      root: this.root, chain: this.chain, docker: this.docker, transport: this.transport, parent: this.parent,
      routableAddress: this.routableAddress, timeoutMs: this.timeoutMs,
      publishedPortsReachable: this.publishedPortsReachable, connection: this.connection,
    } = options);
    this.id = levelId(this.root.id, this.chain);
    this.jsonRequest = jsonRequestFor(this.docker);
  }

  get depth(): number {
    return this.chain.length;
  }

  get isRoot(): boolean {
    return this.chain.length === 0;
  }

  /** The dind container this level runs in (undefined for a root). */
  get container(): ContainerRef | undefined {
    return this.chain[this.chain.length - 1];
  }

  /** Human path, e.g. "dl-bed-l1/dl-bed-l2"; empty for a root. */
  get path(): string {
    return this.chain.map((c) => c.name).join('/');
  }

  get label(): string {
    return this.container?.name ?? this.root.label;
  }

  get what(): string {
    return this.isRoot ? `daemon ${this.root.label} (${this.transport.address})` : `level ${this.path} (${this.transport.address})`;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** A bounded call: never hangs longer than the connect timeout. */
  call<T>(what: string, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal, timeoutMs = this.timeoutMs): Promise<T> {
    // A closed level's client would open and pool new sockets that nobody closes.
    if (this.disposed) return Promise.reject(this.closedError());
    return withDeadline(timeoutMs, `${what} on ${this.what}`, signal, async (s) => {
      try {
        return await work(s);
      } catch (err) {
        throw classifyError(err, this.what);
      }
    });
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.getJson('Ping', '/_ping', signal);
  }

  async info(signal?: AbortSignal): Promise<DaemonInfo> {
    const info = checkDaemonInfo<DaemonInfo>(await this.getJson('Info', '/info', signal), this.what);
    const found = { id: info.ID, name: info.Name };
    // A nested level is pinned at first contact: a newcomer on its address is an impostor. A
    // root is whatever answers at the endpoint the user configured, so it follows its answer.
    if (this.knownIdentity && !this.isRoot) assertSameDaemon(this.what, this.knownIdentity, found);
    else this.knownIdentity = found;
    return info;
  }

  /** The daemon's own ID and host name: asked once (concurrent callers share the request), then remembered. */
  async identity(): Promise<DaemonIdentity> {
    if (this.knownIdentity) return this.knownIdentity;
    // Not tied to one caller's cancel: others may wait on it too; the timeout bounds it.
    this.identityRequest ??= this.info().then((i) => ({ id: i.ID, name: i.Name })).finally(() => { this.identityRequest = undefined; });
    return this.identityRequest;
  }

  listContainers(all = true, signal?: AbortSignal): Promise<Docker.ContainerInfo[]> {
    const left: string[] = [];
    return this.getJson('Listing containers', `/containers/json?all=${all}`, signal)
      .then((body) => checkContainerList(body, this.what, (problem) => left.push(problem)))
      .finally(() => { this.leftOut = left; });
  }

  /** GET /containers/{id}/json, bounded as it arrives and shape-checked (engineShapes.ts): a level's answer is hostile. */
  async inspectContainer<T = Docker.ContainerInspectInfo>(containerId: string, signal?: AbortSignal): Promise<T> {
    const body = await this.getJson('Inspecting container', `/containers/${encodeURIComponent(containerId)}/json`, signal);
    return checkContainerInspect<T>(body, this.what);
  }

  /**
   * A bounded GET of any small Engine API document (e.g. /system/df, /networks/bridge); the
   * caller shape-checks what comes back.
   */
  getJson(what: string, path: string, signal?: AbortSignal): Promise<unknown> {
    return this.requestJson(what, 'GET', path, { signal });
  }

  /**
   * One small request of any method (a create, a start, a remove, a prune), with the level's
   * deadline (or `timeoutMs`) and a classified error. The answer is bounded as it arrives
   * (MAX_JSON_BODY_BYTES) and is hostile: the caller shape-checks it (engineCalls.ts).
   */
  async requestJson(what: string, method: string, path: string,
    options: { body?: unknown; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<unknown> {
    // A closed level's client would open and pool new sockets that nobody closes.
    if (this.disposed) throw this.closedError();
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    try {
      return await this.jsonRequest(method, path, { body: options.body, timeoutMs, what: `${what} on ${this.what}`, signal: options.signal });
    } catch (err) {
      throw classifyError(err, this.what);
    }
  }

  /**
   * A fresh raw byte stream to this daemon over the level's own transport (socket, TCP, TLS
   * or exec tunnel), for forwarding a client's connection untouched. The caller owns it.
   */
  async openRawStream(signal?: AbortSignal): Promise<Duplex> {
    if (this.disposed) throw this.closedError();
    try {
      return await openConnectionStream(this.connection, this.timeoutMs, signal);
    } catch (err) {
      throw classifyError(err, this.what);
    }
  }

  /**
   * While held, a level reached by exec tunnel keeps one stream open ahead (see
   * ExecTunnelAgent.keepSpare); other transports connect without starting a process.
   */
  keepStreamReady(): Disposable {
    const agent = this.connection.kind === 'agent' ? this.connection.agent : undefined;
    if (this.disposed || !(agent instanceof ExecTunnelAgent)) return { dispose: () => undefined };
    return agent.keepSpare();
  }

  private closedError(): DockerLevelsError {
    return new DockerLevelsError('unreachable', `The ${this.what} is closed.`, 'Refresh the tree to reopen it.');
  }

  /** Called once, when the level is closed (its container went away, or its parent closed). */
  onDidDispose(listener: () => void): Disposable {
    if (this.disposed) {
      listener();
      return { dispose: () => undefined };
    }
    return this.disposeListeners.add(listener);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    destroyDockerClient(this.docker);
    this.disposeListeners.fire();
    this.disposeListeners.clear();
  }
}

export type { DaemonIdentity } from './identityPin';

/** The parts of GET /info that Docker Levels shows. */
export interface DaemonInfo {
  ID: string;
  Name: string;
  ServerVersion: string;
  OperatingSystem: string;
  OSType: string;
  Architecture: string;
  Driver: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
}
