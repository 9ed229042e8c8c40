import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Disposable } from '../disposable';
import { classifyError, DockerLevelsError } from '../errors';
import type { DaemonIdentity, TransportInfo } from '../levels/daemonLevel';
import { ImpostorDaemonError } from '../levels/identityPin';
import { Listeners } from '../listeners';
import { Logger, scopedLogger, silentLogger } from '../log';
import { displayText } from '../untrusted/displayText';
import { ForwardedConnection } from './forwardedConnection';
import { HttpForwarding } from './httpForwarding';
import { probeIdentity } from './identityProbe';
import { NestedPlace, watchLevelContainers } from './levelWatch';
import { listenOnPrivateSocket, PrivateSocket } from './privateSocket';
import type { UpstreamPoolOptions } from './upstreamPool';

/**
 * What a forwarder serves: a DaemonLevel, or anything else that opens raw daemon streams.
 * A DaemonLevel gives all of the optional parts, so it reaches only the daemon it was opened for.
 */
export interface ForwardTarget extends NestedPlace {
  /** Stable id of the level (DaemonLevel.id). */
  readonly id: string;
  /** For messages, e.g. "level l1/l2/l3 (exec tunnel via l3)". */
  readonly what: string;
  openRawStream(signal?: AbortSignal): Promise<Duplex>;
  /** When given, the forwarder stops once the target is closed. */
  onDidDispose?(listener: () => void): Disposable;
  /**
   * The daemon's /info ID and Name as its level was confirmed. When given, the daemon behind
   * upstream streams is checked against it before any client byte goes there (see checksEveryConnection).
   */
  identity?(): Promise<DaemonIdentity>;
  /** How the daemon is reached: decides where checking each connection is needed. */
  readonly transport?: TransportInfo;
  /** Bounds the identity check; the level's connect timeout. */
  readonly timeoutMs?: number;
}

export interface LevelForwarderOptions {
  /** Listen on this unix socket path (or named pipe) instead of a fresh private directory. */
  socketPath?: string;
  log?: Logger;
  /** How long one side of a connection may stay open after the other has closed. */
  lingerMs?: number;
  /** The kept streams and waiting requests of the pooled (HTTP-aware) mode; see pooledTransport. */
  pool?: UpstreamPoolOptions;
}

export type ForwarderState = 'serving' | 'stopped';

/**
 * Where an address alone says who answers (plain TCP, a socket path), a daemon that took over
 * a dead level's port would get the traffic: every connection is checked (one /info on the
 * fresh stream, some 60–200 ms on dockerd 20.10). A TLS route only completes with the key of
 * the CA read from the level's own container, and an exec tunnel runs in the container by its
 * full ID: there the route is checked on its first connection and after any failure.
 */
export function checksEveryConnection(transport: TransportInfo | undefined): boolean {
  return transport?.kind !== 'tls' && transport?.kind !== 'tunnel';
}

/**
 * Routes where each new stream starts a process at every hop (`docker system dial-stdio` in
 * each container above, an ssh session, a command): there the forwarder reads HTTP and sends
 * plain requests over a few kept streams instead of opening one per client connection.
 */
export function pooledTransport(transport: TransportInfo | undefined): boolean {
  return transport?.kind === 'tunnel' || transport?.kind === 'command' || transport?.kind === 'ssh';
}

/**
 * A local endpoint for one level's daemon: every connection accepted on a private unix
 * socket is spliced to a fresh raw stream to the daemon over the level's own transport, so
 * the docker CLI, compose or any Docker client can use the level as if it were local.
 * Connections are independent: one failing or dying closes only itself.
 */
export class LevelForwarder implements Disposable {
  private readonly connections = new Set<ForwardedConnection>();
  /** The HTTP-aware mode, on pooled routes; undefined where each connection is spliced whole. */
  private readonly http: HttpForwarding | undefined;
  private readonly changeListeners = new Listeners<LevelForwarder>();
  private readonly stopListeners = new Listeners<LevelForwarder>();
  private readonly log: Logger;
  private readonly lingerMs: number;
  private socket: PrivateSocket | undefined;
  private targetWatch: Disposable | undefined;
  private stopping: Promise<void> | undefined;
  private levelWatch: Disposable | undefined;
  /** The identity every upstream daemon must show; undefined when the target gives none. */
  private expected: DaemonIdentity | undefined;
  /** Whether the route has shown the expected identity since it last failed (per-route checking). */
  private routeChecked = false;
  private nextId = 1;
  private total = 0;
  private failed = 0;
  readonly startedAt = new Date();
  state: ForwarderState = 'serving';
  /** Why the forwarder stopped by itself (an impostor, its level's container gone); undefined otherwise. */
  stopReason: DockerLevelsError | undefined;

  /** Starts listening; resolves once the socket accepts connections. */
  static async start(target: ForwardTarget, options: LevelForwarderOptions = {}): Promise<LevelForwarder> {
    const forwarder = new LevelForwarder(target, options);
    await forwarder.listen(options.socketPath);
    return forwarder;
  }

  private readonly server: net.Server;

  private constructor(readonly target: ForwardTarget, options: LevelForwarderOptions) {
    this.log = scopedLogger(options.log ?? silentLogger, 'forward');
    this.lingerMs = options.lingerMs ?? 30_000;
    // Half-open, so a client's end of input (`docker run -i` once stdin closes) reaches the
    // daemon while the output still flows back.
    this.server = net.createServer({ allowHalfOpen: true }, (client) => this.accept(client));
    this.server.on('error', (err) => this.log.error(`${this.describe()}: ${err.message}`));
    if (pooledTransport(target.transport)) {
      this.http = new HttpForwarding({
        what: target.what,
        open: (signal) => this.openChecked(signal),
        failed: (error) => {
          this.failed++;
          if (error instanceof ImpostorDaemonError) this.stopFor(error);
        },
        changed: () => this.changeListeners.fire(this),
      }, this.lingerMs, this.log, options.pool);
    }
  }

  private async listen(socketPath: string | undefined): Promise<void> {
    try {
      // Pinned before the first client: what the level was confirmed with, never what answers later.
      const known = await this.target.identity?.();
      this.expected = known ? { id: known.id, name: known.name } : undefined;
      // Where the route binds the daemon, it is checked once here, on a stream of its own, so
      // the first burst of clients (20 parallel `docker ps`) does not wait on /info before its
      // pings: a slow ping makes the docker CLI guess API 1.50.
      if (this.expected && !checksEveryConnection(this.target.transport)) {
        const probe = await this.openChecked(new AbortController().signal);
        // In the pooled mode it is the spare: the first client that needs a stream of its own takes it.
        if (this.http) this.http.pool.keepSpare(probe);
        else probe.destroy();
      }
      this.socket = await listenOnPrivateSocket(this.server, socketPath);
    } catch (err) {
      this.server.close();
      this.state = 'stopped';
      throw classifyError(err, `the forwarding socket ${socketPath ?? ''}`.trim());
    }
    this.targetWatch = this.target.onDidDispose?.(() => {
      this.log.info(`${this.describe()}: the level was closed; stopping`);
      void this.stop();
    });
    if (this.target.parent && this.target.container) {
      this.levelWatch = watchLevelContainers(this.target, this.describe(), this.log, (reason) => this.stopFor(
        new DockerLevelsError('unreachable', `${reason}: its daemon is gone, so the forwarder stopped.`,
          'Start the level again, then forward it again.')));
    }
    this.log.info(`${this.describe()}: listening on ${this.socket.path}`);
  }

  /** The socket's path (or pipe name). After stop, the file is gone. */
  get socketPath(): string {
    return this.socket?.path ?? '';
  }

  /** DOCKER_HOST value for this forwarder, e.g. unix:///tmp/docker-levels-x/docker.sock. */
  get dockerHost(): string {
    return this.socket?.dockerHost ?? '';
  }

  /** Connections open right now (including those whose daemon stream is still opening). */
  get activeConnections(): number {
    return this.http?.openConnections ?? this.connections.size;
  }

  /** Upstream streams opened since start in the pooled mode (kept, spare and own ones); 0 otherwise. */
  get upstreamStreamsOpened(): number {
    return this.http?.pool.streamsOpened ?? 0;
  }

  /** Kept upstream streams open now in the pooled mode (closed after KEPT_STREAM_IDLE_MS unused); 0 otherwise. */
  get keptStreamsOpen(): number {
    return this.http?.pool.keptStreamsOpen ?? 0;
  }

  /** Plain requests sent or waiting for a kept stream, in the pooled mode. */
  get requestsInFlight(): number {
    return this.http?.pool.requestsInFlight ?? 0;
  }

  /** Whether plain requests share kept streams (pooledTransport). */
  get pooled(): boolean {
    return !!this.http;
  }

  /** Connections accepted since start. */
  get totalConnections(): number {
    return this.total;
  }

  /** Connections whose daemon stream could not be opened. */
  get failedConnections(): number {
    return this.failed;
  }

  /** Fires when a connection opens or closes, and on stop. */
  onDidChange(listener: (forwarder: LevelForwarder) => void): Disposable {
    return this.changeListeners.add(listener);
  }

  /** Fires once, when the forwarder has stopped (by stop() or because its level closed). */
  onDidStop(listener: (forwarder: LevelForwarder) => void): Disposable {
    if (this.state === 'stopped' && !this.stopping) {
      listener(this);
      return { dispose: () => undefined };
    }
    return this.stopListeners.add(listener);
  }

  private accept(client: net.Socket): void {
    if (this.state !== 'serving') {
      client.destroy();
      return;
    }
    const id = this.nextId++;
    this.total++;
    if (this.http) {
      this.http.accept(client);
      this.log.trace(`${this.describe()}: connection ${id} accepted (${this.http.openConnections} open)`);
      this.changeListeners.fire(this);
      return;
    }
    const conn = new ForwardedConnection(id, client, this.lingerMs, (c, error) => {
      this.connections.delete(c);
      if (error && !isOrdinaryHangUp(error)) this.log.debug(`${this.describe()}: connection ${c.id}: ${error.message}`);
      this.log.trace(`${this.describe()}: connection ${c.id} closed (${this.connections.size} open)`);
      this.changeListeners.fire(this);
    });
    this.connections.add(conn);
    this.log.trace(`${this.describe()}: connection ${id} accepted (${this.connections.size} open)`);
    this.changeListeners.fire(this);
    conn.whenClientSpeaks(() => this.openChecked(conn.signal).then(
      (upstream) => conn.attach(upstream),
      (err: unknown) => {
        this.routeChecked = false;
        if (conn.isClosed) return;
        this.failed++;
        const error = err instanceof ImpostorDaemonError ? err : classifyError(err, this.target.what);
        this.log.warn(`${this.describe()}: connection ${id}: ${error.message}`);
        conn.fail(error);
        if (error instanceof ImpostorDaemonError) this.stopFor(error, conn);
      },
    ));
  }

  /** A fresh upstream stream whose daemon showed the expected identity, when there is one to show. */
  private async openChecked(signal: AbortSignal): Promise<Duplex> {
    let upstream: Duplex;
    try {
      upstream = await this.target.openRawStream(signal);
    } catch (err) {
      this.routeChecked = false;
      throw err;
    }
    const expected = this.expected;
    if (!expected || (this.routeChecked && !checksEveryConnection(this.target.transport))) return upstream;
    try {
      const found = await probeIdentity(upstream, this.target.what, this.target.timeoutMs ?? 15_000, signal);
      if (found.id !== expected.id || found.name !== expected.name) {
        throw new ImpostorDaemonError('unreachable',
          `${this.target.what} now answers as another daemon (ID ${displayText(found.id, 80)}, host name "${displayText(found.name, 80)}"), `
          + `not the one it was opened with (ID ${displayText(expected.id, 80)}, host name "${displayText(expected.name, 80)}"). `
          + 'Nothing was sent to it, and the forwarder stopped.',
          'Its daemon may have died and another taken its address. Open the level again (refresh the tree, or run forward again).');
      }
      this.routeChecked = true;
      return upstream;
    } catch (err) {
      this.routeChecked = false;
      upstream.destroy();
      throw err;
    }
  }

  /** Stops by itself, saying why: in the log as an error, in stopReason, and to onDidStop listeners. */
  private stopFor(reason: DockerLevelsError, answering?: ForwardedConnection): void {
    if (this.state !== 'serving') return;
    this.stopReason = reason;
    this.log.error(`${this.describe()}: ${reason.message}`);
    void this.close(answering);
  }

  /**
   * Stops listening, closes every connection and removes the socket file and its private
   * directory. Safe to call more than once; resolves when all is closed.
   */
  stop(): Promise<void> {
    return this.close();
  }

  private close(answering?: ForwardedConnection): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.state === 'stopped') return Promise.resolve();
    this.state = 'stopped';
    this.targetWatch?.dispose();
    this.levelWatch?.dispose();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // The connection that is being told why closes by itself once its answer is out (or lingers out).
    for (const conn of [...this.connections]) if (conn !== answering) conn.destroy();
    this.http?.destroy();
    this.stopping = closed.then(() => {
      this.socket?.remove();
      this.log.info(`${this.describe()}: stopped after ${this.total} connection(s)`);
      this.stopping = undefined;
      this.changeListeners.fire(this);
      this.stopListeners.fire(this);
      this.changeListeners.clear();
      this.stopListeners.clear();
    });
    return this.stopping;
  }

  dispose(): void {
    void this.stop();
  }

  private describe(): string {
    return this.target.what;
  }
}

/** A client that goes away mid-stream is ordinary, not worth a log line above trace. */
function isOrdinaryHangUp(error: Error): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}
