import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Disposable } from '../disposable';
import { classifyError, DockerLevelsError } from '../errors';
import { ForwardedConnection } from '../forward/forwardedConnection';
import type { DaemonLevel } from '../levels/daemonLevel';
import { containerNodeId } from '../levels/ids';
import { Listeners } from '../listeners';
import { Logger, scopedLogger, silentLogger } from '../log';
import { displayText } from '../untrusted/displayText';
import { protocolRefusal, readContainerPorts } from './containerPorts';
import { watchForwardTarget } from './forwardWatch';
import { openPortRelay, PortRelayRequest, probePort, SpareRelay } from './portRelay';
import { RelayAddress, resolveRelayAddress } from './relayTarget';

export interface PortForwardOptions {
  /** The daemon that runs the container (a root or a level at any depth). */
  daemon: DaemonLevel;
  /** Full container ID, as that daemon lists it. */
  containerId: string;
  port: number;
  /** The local port asked for; a free one when left out. */
  localPort?: number;
  log?: Logger;
  /** How long one side of a connection may stay open after the other has closed. */
  lingerMs?: number;
  /** Keep one relay started ahead of the next connection (default true; the bench compares). */
  spareRelay?: boolean;
}

export type PortForwardState = 'serving' | 'stopped';

/**
 * One container port made reachable on 127.0.0.1 of this machine: every accepted
 * connection gets its own relay (see portRelay.ts) to that container's port through the level
 * chain, bytes spliced untouched (HTTP, WebSocket, any TCP). It stops when asked, when its
 * container stops, is removed or replaced, or when its level goes; then nothing of it is left.
 */
export class PortForward implements Disposable {
  private readonly server = net.createServer({ allowHalfOpen: true }, (client) => this.accept(client));
  private readonly connections = new Set<ForwardedConnection>();
  private readonly changeListeners = new Listeners<PortForward>();
  private readonly stopListeners = new Listeners<PortForward>();
  private readonly failureListeners = new Listeners<DockerLevelsError>();
  private readonly log: Logger;
  private watch: Disposable | undefined;
  private stopping: Promise<void> | undefined;
  private identityRead: Promise<RelayAddress> | undefined;
  /** One relay started ahead of the next connection, and the start of the next one. */
  private spare: SpareRelay | undefined;
  private spareStarting: Promise<void> | undefined;
  private readonly spareCancel = new AbortController();
  private spareFailed = false;
  private spareAwaited = false;
  private nextId = 1;
  private total = 0;
  private failed = 0;
  readonly daemon: DaemonLevel;
  readonly containerId: string;
  readonly port: number;
  readonly startedAt = new Date();
  /** The container's name when the forward started (daemon text, shown as data). */
  containerName = '';
  localPort = 0;
  state: PortForwardState = 'serving';
  /** Why it stopped, when not by stop(): the container or the level went. */
  stopReason: DockerLevelsError | undefined;

  /**
   * Checks the container runs and that a relay can reach the port, then listens. A port the
   * container neither exposes nor listens on is an error; an exposed one that nothing listens
   * on yet is served (its first connection's error says so).
   */
  static async start(options: PortForwardOptions, signal?: AbortSignal): Promise<PortForward> {
    const forward = new PortForward(options);
    try {
      await forward.check(signal);
      await forward.listen(options.localPort);
      forward.refillSpare();
      forward.watch = watchForwardTarget(options.daemon, options.containerId, forward.log, (reason) => void forward.stop(reason));
      forward.log.info(`${forward.describe()}: listening on ${forward.address}`);
      return forward;
    } catch (err) {
      await forward.stop();
      throw classifyError(err, forward.describe());
    }
  }

  private constructor(private readonly options: PortForwardOptions) {
    this.daemon = options.daemon;
    this.containerId = options.containerId;
    this.port = options.port;
    this.log = scopedLogger(options.log ?? silentLogger, 'ports');
    this.server.on('error', (err) => this.log.error(`${this.describe()}: ${err.message}`));
  }

  /** Stable id: one forward per container port. */
  get id(): string {
    return `${containerNodeId(this.daemon.id, this.containerId)}:${this.port}`;
  }

  /** "127.0.0.1:N", what the CLI prints first and the extension copies. */
  get address(): string {
    return `127.0.0.1:${this.localPort}`;
  }

  get url(): string {
    return `http://${this.address}/`;
  }

  /** "web @ l1/l2/l3 :80", for lists and logs. */
  describe(): string {
    const where = this.daemon.isRoot ? this.daemon.root.label : this.daemon.path;
    return `${this.containerName || this.containerId.slice(0, 12)} @ ${where} :${this.port}`;
  }

  get activeConnections(): number {
    return this.connections.size;
  }

  get totalConnections(): number {
    return this.total;
  }

  /** Connections whose relay failed (nothing listening, the level gone, ...). */
  get failedConnections(): number {
    return this.failed;
  }

  onDidChange(listener: (forward: PortForward) => void): Disposable {
    return this.changeListeners.add(listener);
  }

  /** Fires once, when it has stopped, for whatever reason (see stopReason). */
  onDidStop(listener: (forward: PortForward) => void): Disposable {
    if (this.state === 'stopped' && !this.stopping) {
      listener(this);
      return { dispose: () => undefined };
    }
    return this.stopListeners.add(listener);
  }

  /** Fires for each connection whose relay failed, with the reason. */
  onDidFailConnection(listener: (error: DockerLevelsError) => void): Disposable {
    return this.failureListeners.add(listener);
  }

  private async check(signal?: AbortSignal): Promise<void> {
    const address = await resolveRelayAddress(this.daemon, this.containerId, signal);
    this.containerName = address.name;
    const ports = (await readContainerPorts(this.daemon, this.containerId, signal)).filter((p) => p.port === this.port);
    const exposed = ports.some((p) => p.protocol === 'tcp');
    const problem = await probePort(this.relayRequest(signal));
    if (!problem) return;
    const refused = /^Nothing listens on port/.test(problem.message);
    if (refused && exposed) {
      this.log.warn(`${this.describe()}: ${problem.message} Serving anyway: it may start later.`);
      return;
    }
    // Only a datagram port of that number, and no TCP service on it: no TCP relay serves it.
    if (refused && ports.length > 0) throw protocolRefusal(ports[0].protocol, this.port, address.name);
    if (refused) {
      throw new DockerLevelsError('notFound', `Container ${address.name} does not expose port ${this.port}/tcp and nothing listens on it.`,
        'Check the port number (Inspect shows the exposed ports), or start the service first.');
    }
    throw problem;
  }

  private relayRequest(signal?: AbortSignal): PortRelayRequest {
    return { daemon: this.daemon, containerId: this.containerId, port: this.port, log: this.log, signal, resolveAddress: () => this.checkIdentity() };
  }

  /**
   * The container's identity and address, read afresh for each relay; relays that open at the
   * same moment (a browser's burst) share the read in flight rather than each asking the
   * daemon, which at depth N costs an exec tunnel per request.
   */
  private checkIdentity(): Promise<RelayAddress> {
    this.identityRead ??= resolveRelayAddress(this.daemon, this.containerId).finally(() => { this.identityRead = undefined; });
    return this.identityRead;
  }

  private listen(localPort: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        reject(err.code === 'EADDRINUSE'
          ? new DockerLevelsError('conflict', `Local port ${localPort} is already in use on 127.0.0.1.`, 'Choose another local port, or leave it out to get a free one.', err)
          : err.code === 'EACCES'
            ? new DockerLevelsError('permission', `Local port ${localPort} may not be opened by this user.`, 'Choose a port above 1023, or leave it out.', err)
            : err);
      };
      this.server.once('error', onError);
      // Loopback only, never another address.
      this.server.listen({ host: '127.0.0.1', port: localPort ?? 0, exclusive: true }, () => {
        this.server.off('error', onError);
        this.localPort = (this.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private accept(client: net.Socket): void {
    if (this.state !== 'serving') {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const id = this.nextId++;
    this.total++;
    const conn = new ForwardedConnection(id, client, this.options.lingerMs ?? 30_000, (c, error) => {
      this.connections.delete(c);
      if (error instanceof DockerLevelsError) this.report(c.id, error);
      this.changeListeners.fire(this);
    });
    this.connections.add(conn);
    this.changeListeners.fire(this);
    // Opened at once, not on the client's first bytes: some protocols have the server speak first.
    this.relayFor(conn.signal).then(
      (relay) => conn.attach(relay),
      (err: unknown) => {
        if (conn.isClosed) return;
        conn.destroy(classifyError(err, this.describe()));
      },
    );
  }

  /**
   * A relay for a new connection: the spare when there is one (or one is starting), once the
   * container's identity and address were checked for this connection, else a new relay.
   */
  private async relayFor(signal: AbortSignal): Promise<Duplex> {
    // One connection waits for a spare that is starting (it started earlier than a new exec would); a burst does not.
    if (!this.spare && this.spareStarting && !this.spareAwaited) {
      this.spareAwaited = true;
      await this.spareStarting.finally(() => { this.spareAwaited = false; });
    }
    const spare = this.spare;
    this.spare = undefined;
    this.refillSpare();
    if (!spare) return openPortRelay(this.relayRequest(signal));
    let address: RelayAddress;
    try {
      address = await this.checkIdentity();
    } catch (err) {
      spare.dispose();
      throw err;
    }
    // A failure (also a cancel before it ran) ends the spare: it never goes back.
    if (spare.fits(address)) return spare.go(this.daemon.timeoutMs, signal).catch((err: unknown) => { spare.dispose(); throw err; });
    spare.dispose();
    return openPortRelay(this.relayRequest(signal));
  }

  /** Starts the next spare relay unless one is there or starting; it costs one idle shell in the dind container. */
  private refillSpare(): void {
    // A root's containers are dialled directly: no exec to save. After a failure, none again.
    if (this.state !== 'serving' || this.daemon.isRoot || this.options.spareRelay === false || this.spareFailed || this.spare || this.spareStarting) return;
    this.spareStarting = SpareRelay.start(this.relayRequest(this.spareCancel.signal)).then((spare) => {
      if (this.state === 'serving') this.spare = spare; else spare?.dispose();
    }, (err: unknown) => {
      this.spareFailed = true;
      if (this.state === 'serving') this.log.debug(`${this.describe()}: no spare relay, each connection starts its own: ${(err as Error).message}`);
    }).finally(() => { this.spareStarting = undefined; });
  }

  private report(connectionId: number, error: DockerLevelsError): void {
    if (error.kind === 'cancelled' || this.state !== 'serving') return;
    this.failed++;
    this.log.warn(`${this.describe()}: connection ${connectionId}: ${error.userMessage}`);
    this.failureListeners.fire(error);
  }

  /**
   * Stops listening and closes every connection and relay. Safe to call more than once;
   * resolves when all is closed. `reason` says why, when it is not the user's own stop.
   */
  stop(reason?: DockerLevelsError): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.state === 'stopped') return Promise.resolve();
    this.state = 'stopped';
    this.stopReason = reason;
    this.watch?.dispose();
    this.spareCancel.abort();
    this.spare?.dispose();
    this.spare = undefined;
    const open = this.connections.size;
    const closed = this.server.listening ? new Promise<void>((resolve) => this.server.close(() => resolve())) : Promise.resolve();
    for (const conn of [...this.connections]) conn.destroy();
    this.stopping = closed.then(() => {
      const why = reason ? `: ${reason.message}` : '';
      if (this.localPort) this.log.info(`${this.describe()}: stopped after ${this.total} connection(s)${open ? `, closing ${open} open` : ''}${why}`);
      this.stopping = undefined;
      this.changeListeners.fire(this);
      this.stopListeners.fire(this);
      this.changeListeners.clear();
      this.stopListeners.clear();
      this.failureListeners.clear();
    });
    return this.stopping;
  }

  dispose(): void {
    void this.stop();
  }
}

/** A one-line summary for lists: "127.0.0.1:N → web @ l1/l2/l3 :80". */
export function describePortForward(forward: PortForward): string {
  return displayText(`${forward.address} → ${forward.describe()}`, 300);
}
