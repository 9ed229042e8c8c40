import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Disposable } from '../disposable';
import { classifyError } from '../errors';
import { Listeners } from '../listeners';
import { Logger, scopedLogger, silentLogger } from '../log';
import { ForwardedConnection } from './forwardedConnection';
import { listenOnPrivateSocket, PrivateSocket } from './privateSocket';

/** What a forwarder serves: a DaemonLevel, or anything else that opens raw daemon streams. */
export interface ForwardTarget {
  /** Stable id of the level (DaemonLevel.id). */
  readonly id: string;
  /** For messages, e.g. "level l1/l2/l3 (exec tunnel via l3)". */
  readonly what: string;
  openRawStream(signal?: AbortSignal): Promise<Duplex>;
  /** When given, the forwarder stops once the target is closed. */
  onDidDispose?(listener: () => void): Disposable;
}

export interface LevelForwarderOptions {
  /** Listen on this unix socket path (or named pipe) instead of a fresh private directory. */
  socketPath?: string;
  log?: Logger;
  /** How long one side of a connection may stay open after the other has closed. */
  lingerMs?: number;
}

export type ForwarderState = 'serving' | 'stopped';

/**
 * A local endpoint for one level's daemon: every connection accepted on a private unix
 * socket is spliced to a fresh raw stream to the daemon over the level's own transport, so
 * the docker CLI, compose or any Docker client can use the level as if it were local.
 * Connections are independent: one failing or dying closes only itself.
 */
export class LevelForwarder implements Disposable {
  private readonly connections = new Set<ForwardedConnection>();
  private readonly changeListeners = new Listeners<LevelForwarder>();
  private readonly stopListeners = new Listeners<LevelForwarder>();
  private readonly log: Logger;
  private readonly lingerMs: number;
  private socket: PrivateSocket | undefined;
  private targetWatch: Disposable | undefined;
  private stopping: Promise<void> | undefined;
  private nextId = 1;
  private total = 0;
  private failed = 0;
  readonly startedAt = new Date();
  state: ForwarderState = 'serving';

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
  }

  private async listen(socketPath: string | undefined): Promise<void> {
    try {
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
    return this.connections.size;
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
    const conn = new ForwardedConnection(id, client, this.lingerMs, (c, error) => {
      this.connections.delete(c);
      if (error && !isOrdinaryHangUp(error)) this.log.debug(`${this.describe()}: connection ${c.id}: ${error.message}`);
      this.log.trace(`${this.describe()}: connection ${c.id} closed (${this.connections.size} open)`);
      this.changeListeners.fire(this);
    });
    this.connections.add(conn);
    this.log.trace(`${this.describe()}: connection ${id} accepted (${this.connections.size} open)`);
    this.changeListeners.fire(this);
    conn.whenClientSpeaks(() => this.target.openRawStream(conn.signal).then(
      (upstream) => conn.attach(upstream),
      (err: unknown) => {
        if (conn.isClosed) return;
        this.failed++;
        const error = classifyError(err, this.target.what);
        this.log.warn(`${this.describe()}: connection ${id}: ${error.message}`);
        conn.fail(error);
      },
    ));
  }

  /**
   * Stops listening, closes every connection and removes the socket file and its private
   * directory. Safe to call more than once; resolves when all is closed.
   */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.state === 'stopped') return Promise.resolve();
    this.state = 'stopped';
    this.targetWatch?.dispose();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of [...this.connections]) conn.destroy();
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
