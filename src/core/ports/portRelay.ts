import * as net from 'node:net';
import { Duplex, PassThrough } from 'node:stream';
import { withDeadline } from '../abort';
import { isLocalConnection } from '../endpoints/endpoint';
import { classifyError, DockerLevelsError } from '../errors';
import { createExec } from '../actions/engineCalls';
import type { DaemonLevel } from '../levels/daemonLevel';
import type { Logger } from '../log';
import { isOnLocalInterface } from '../transport/routes';
import { displayText } from '../untrusted/displayText';
import { MAX_TUNNEL_STDERR_CHARS } from '../untrusted/limits';
import { portsFromInspect } from './containerPorts';
import { inspectBounded, RelayAddress, resolveRelayAddress } from './relayTarget';
import { demuxFrames } from '../transport/frameDemux';

const NO_TOOL_MARKER = 'docker-levels: no relay tool';
const SOCAT_MARKER = 'docker-levels: relay socat';
const NC_MARKER = 'docker-levels: relay nc';
/** socat -d -d says this once its connection is up; busybox nc says nothing on success. */
const SOCAT_CONNECTED = 'starting data transfer loop';
/**
 * socat -d -d says this when the service ends its side. An exec's output has no end of its
 * own before the process exits, and socat waits for its input to end too: this is the end,
 * once as many bytes came out as socat says it wrote ("transferred N bytes from F to 1",
 * at -d -d -d): Docker copies stdout and stderr apart, so the line may come before the data.
 */
const SOCAT_SERVICE_EOF = /socket 2 \(fd \d+\) is at EOF/;
const SOCAT_WROTE_OUT = /transferred (\d+) bytes from \d+ to 1\b/;
/**
 * Run in the dind container whose bridge holds the target: a byte pipe from its stdin/stdout
 * to IP:PORT ($1, $2: never spliced into the script). socat where there is one (a clean
 * half-close, and it says when it is connected), else busybox nc, which docker:dind carries.
 * `-t 10`: after one side ends, the other gets 10 s, then socat exits, so no relay outlives
 * its connection for long.
 */
const RELAY_SCRIPT = [
  // A spare ($3 = wait) starts ahead of its connection and idles until a line arrives: the
  // shell reads it byte by byte, so what follows goes to the tool. End of input: it just exits.
  'if [ "$3" = wait ]; then read -r go || exit 0; fi',
  `if command -v socat >/dev/null 2>&1; then echo "${SOCAT_MARKER}" >&2; exec socat -d -d -d -t 10 - "TCP:$1:$2,nodelay"; fi`,
  `if command -v nc >/dev/null 2>&1; then echo "${NC_MARKER}" >&2; exec nc "$1" "$2"; fi`,
  `echo "${NO_TOOL_MARKER}" >&2; exit 127`,
].join('\n');

export interface PortRelayRequest {
  daemon: DaemonLevel;
  containerId: string;
  port: number;
  log: Logger;
  signal?: AbortSignal;
  /** Reads the container's identity and address; relays opening at once may share one read. */
  resolveAddress?: (signal?: AbortSignal) => Promise<RelayAddress>;
}

/** The error a connection gets when nothing listens on the port. */
export function notListening(name: string, port: number, detail: string): DockerLevelsError {
  return new DockerLevelsError('unreachable', `Nothing listens on port ${port} of container ${name} (${detail}).`,
    'Start the service in the container, or forward the port it listens on.');
}

/**
 * A fresh byte stream to port `port` of a container at any depth, opened from where its
 * network is reached: beside it, in the dind container of its level (an exec of socat or nc
 * through the parent daemon, itself reached over the level chain), or, for a container of a
 * local root daemon on a Docker bridge, by dialling it. The target needs no tools. Its
 * identity and state are checked before every relay.
 */
export async function openPortRelay(request: PortRelayRequest): Promise<Duplex> {
  const { daemon, containerId, port, signal } = request;
  const address = await (request.resolveAddress ?? ((s) => resolveRelayAddress(daemon, containerId, s)))(signal);
  if (daemon.isRoot) return dialFromHere(request, address);
  const parent = daemon.parent;
  const dind = daemon.container;
  if (!parent || !dind) throw new DockerLevelsError('unreachable', `The ${daemon.what} has no parent to relay from.`);
  return withDeadline(daemon.timeoutMs, `Starting a relay in ${dind.name}`, signal, async (s) => {
    let opening: Promise<Duplex> | undefined;
    // A deadline or cancel closes whatever arrives, also a stream that arrives late.
    const closeLate = () => { opening?.then((late) => late.destroy(), () => undefined); };
    s.addEventListener('abort', closeLate, { once: true });
    try {
      opening = startRelayExec(parent, dind.id, address.ip, port, false, s);
      return await relayOver(await opening, { ...address, port, dind: dind.name }, request.log, s);
    } catch (err) {
      closeLate();
      throw relayError(err, dind.name);
    } finally {
      s.removeEventListener('abort', closeLate);
    }
  });
}

async function relayOver(socket: Duplex, info: RelayInfo, log: Logger, s: AbortSignal): Promise<Duplex> {
  const relay = new RelayStream(socket, info, log);
  await relay.ready;
  if (s.aborted) relay.destroy();
  return relay;
}

/**
 * A relay started ahead of its connection (the exec is most of a connection's cost at depth N):
 * it idles in the dind container, connected to nothing, until go() hands it a connection. It
 * dials the address read when it started: go() is given the address read for the connection,
 * and a spare for another address is not used. Dispose ends it (its shell exits).
 */
export class SpareRelay {
  private ended = false;
  /** Nothing comes out before go(): anything that does (an exec error) means it is dead. */
  private readonly idle = () => this.dispose();

  private constructor(private readonly socket: Duplex, private readonly info: RelayInfo, private readonly log: Logger) {
    const end = () => { this.ended = true; };
    socket.once('close', end);
    socket.once('end', end);
    socket.once('error', end);
    // Flowing, so its end is seen while it idles.
    socket.on('data', this.idle);
  }

  /** Starts one for a container of a nested level; undefined for a root's container (dialled directly). */
  static async start(request: PortRelayRequest): Promise<SpareRelay | undefined> {
    const { daemon, containerId, port, signal } = request;
    const parent = daemon.parent;
    const dind = daemon.container;
    if (daemon.isRoot || !parent || !dind) return undefined;
    const address = await (request.resolveAddress ?? ((s) => resolveRelayAddress(daemon, containerId, s)))(signal);
    return withDeadline(daemon.timeoutMs, `Starting a relay in ${dind.name}`, signal, async (s) => {
      const opening = startRelayExec(parent, dind.id, address.ip, port, true, s);
      // Cancelled (the forward stopped) while the exec starts: its stream is closed when it comes.
      const closeLate = () => { opening.then((late) => late.destroy(), () => undefined); };
      s.addEventListener('abort', closeLate, { once: true });
      try {
        const socket = await opening;
        if (s.aborted) throw new DockerLevelsError('cancelled', 'The spare relay was cancelled.');
        return new SpareRelay(socket, { ...address, port, dind: dind.name }, request.log);
      } catch (err) {
        closeLate();
        throw relayError(err, dind.name);
      } finally {
        s.removeEventListener('abort', closeLate);
      }
    });
  }

  /** Whether it can still take a connection to `address`. */
  fits(address: RelayAddress): boolean {
    return !this.ended && !this.socket.destroyed && address.id === this.info.id && address.ip === this.info.ip;
  }

  /** Lets it dial, for a connection whose target was just checked (`address`). */
  go(timeoutMs: number, signal: AbortSignal): Promise<Duplex> {
    return withDeadline(timeoutMs, `Starting a relay in ${this.info.dind}`, signal, async (s) => {
      try {
        // The relay's own reader takes over in this same tick: no byte is lost.
        this.socket.off('data', this.idle);
        this.socket.write('go\n');
        return await relayOver(this.socket, this.info, this.log, s);
      } catch (err) {
        this.socket.destroy();
        throw relayError(err, this.info.dind);
      }
    });
  }

  dispose(): void {
    this.ended = true;
    this.socket.destroy();
  }
}

async function startRelayExec(parent: DaemonLevel, dindId: string, ip: string, port: number, wait: boolean, signal: AbortSignal): Promise<Duplex> {
  try {
    const execId = await createExec(parent, dindId, {
      Cmd: ['sh', '-c', RELAY_SCRIPT, 'docker-levels-relay', ip, String(port), wait ? 'wait' : 'now'],
      AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false,
    }, { signal });
    return (await parent.docker.getExec(execId).start({ hijack: true, stdin: true })) as unknown as Duplex;
  } catch (err) {
    throw classifyError(err, parent.what);
  }
}

function relayError(err: unknown, dindName: string): DockerLevelsError {
  const e = classifyError(err, `the relay in ${dindName}`);
  if (e.kind === 'unknown' && /executable file not found|no such file/i.test(e.message)) {
    return new DockerLevelsError('noTunnelTool', `The relay cannot start in ${dindName}: it has no sh.`,
      'Docker Levels relays ports with sh and socat or nc in the dind container.', err);
  }
  return e;
}

/** A container of a root daemon: dialled directly on a local Docker bridge, or on its published port. */
async function dialFromHere(request: PortRelayRequest, address: RelayAddress): Promise<Duplex> {
  const { daemon, port, signal } = request;
  const local = isLocalConnection(daemon.connection);
  if (local && isOnLocalInterface(address.ip)) return dialTcp(address.ip, port, address.name, port, daemon.timeoutMs, signal);
  // Not on a bridge of this machine: its published port, where the daemon's host is this one.
  const published = portsFromInspect(await inspectBounded(daemon, address.id, signal))
    .find((p) => p.port === port && p.protocol === 'tcp')?.published
    .find((b) => b.hostIp === '' || b.hostIp === '0.0.0.0' || b.hostIp === '127.0.0.1');
  if (local && published) return dialTcp('127.0.0.1', published.hostPort, address.name, port, daemon.timeoutMs, signal);
  throw new DockerLevelsError('unreachable',
    `Port ${port} of container ${address.name} cannot be reached from here: its address ${address.ip} is not on a Docker bridge of this machine and the port is not published here.`,
    'Publish the port (-p 127.0.0.1::PORT), or reach the daemon over a level that Docker Levels relays through.');
}

function dialTcp(host: string, port: number, name: string, containerPort: number, timeoutMs: number, signal?: AbortSignal): Promise<Duplex> {
  return withDeadline(timeoutMs, `Connecting to port ${containerPort} of ${name}`, signal, (s) => new Promise<Duplex>((resolve, reject) => {
    const socket = net.connect({ host, port, allowHalfOpen: true });
    const onAbort = () => socket.destroy();
    s.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      s.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      s.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err.code === 'ECONNREFUSED' ? notListening(name, containerPort, 'connection refused') : classifyError(err, `port ${containerPort} of ${name}`));
    });
  }));
}

interface RelayInfo extends RelayAddress {
  port: number;
  dind: string;
}

/**
 * The demultiplexed stdout of the relay exec as a duplex. Its stderr says which tool runs,
 * when the connection is up, and why it failed (nothing listening, no route, no tool).
 */
class RelayStream extends Duplex {
  private readonly stdout = new PassThrough();
  private stderrText = '';
  private connected = false;
  private outputEnded = false;
  private lineBuffer = '';
  private bytesWritten = 0;
  private bytesOut = 0;
  private serviceEnded = false;
  private settle!: (err?: Error) => void;
  /** Resolves once the relay's connection is up (socat says so; with nc, once nc runs). */
  readonly ready: Promise<void>;

  /** Busybox nc runs the relay: it does not say when it is connected. */
  get viaNc(): boolean {
    return this.stderrText.includes(NC_MARKER);
  }

  constructor(private readonly socket: Duplex, private readonly info: RelayInfo, private readonly log: Logger) {
    super({ allowHalfOpen: true });
    this.ready = new Promise<void>((resolve, reject) => {
      this.settle = (err) => {
        if (this.connected) return;
        if (err) reject(err); else { this.connected = true; resolve(); }
      };
    });
    this.ready.catch(() => undefined);
    const stderr = new PassThrough();
    demuxFrames(socket, this.stdout, stderr);
    stderr.on('data', (chunk: Buffer) => this.onStderr(chunk.toString()));
    this.stdout.on('data', (chunk: Buffer) => {
      this.settle();
      this.bytesOut += chunk.length;
      if (!this.outputEnded && !this.push(chunk)) socket.pause();
      this.endWhenDrained();
    });
    const finish = () => {
      if (this.destroyed) return;
      const failure = this.failure();
      if (failure) {
        // Before it connected, the failure goes to whoever waits on `ready`, not to 'error'.
        const wasConnected = this.connected;
        this.settle(failure);
        this.destroy(wasConnected ? failure : undefined);
        return;
      }
      this.settle(new DockerLevelsError('unreachable', `The relay in ${info.dind} ended before it connected.`));
      this.endOutput();
    };
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (err) => {
      const wasConnected = this.connected;
      this.settle(err);
      this.destroy(wasConnected ? err : undefined);
    });
  }

  private onStderr(text: string): void {
    // Kept only to explain a failure: a level cannot grow it without bound.
    if (this.stderrText.length < MAX_TUNNEL_STDERR_CHARS) this.stderrText = (this.stderrText + text).slice(0, MAX_TUNNEL_STDERR_CHARS);
    else this.stderrText = (this.stderrText + text).slice(-MAX_TUNNEL_STDERR_CHARS);
    this.log.trace(`relay ${this.info.dind} → ${this.info.name}:${this.info.port}: ${displayText(text.trim(), 400)}`);
    if (this.stderrText.includes(NC_MARKER) || this.stderrText.includes(SOCAT_CONNECTED)) this.settle();
    this.lineBuffer += text;
    let nl: number;
    while ((nl = this.lineBuffer.indexOf('\n')) >= 0) {
      const line = this.lineBuffer.slice(0, nl);
      this.lineBuffer = this.lineBuffer.slice(nl + 1);
      const wrote = SOCAT_WROTE_OUT.exec(line);
      if (wrote) this.bytesWritten += Number(wrote[1]);
      if (SOCAT_SERVICE_EOF.test(line)) this.serviceEnded = true;
    }
    if (this.lineBuffer.length > 4096) this.lineBuffer = '';
    this.endWhenDrained();
    const failure = this.failure();
    if (failure) {
      this.settle(failure);
      if (this.connected) this.destroy(failure);
    }
  }

  private endWhenDrained(): void {
    if (this.connected && this.serviceEnded && this.bytesOut >= this.bytesWritten) this.endOutput();
  }

  private endOutput(): void {
    if (this.outputEnded) return;
    this.outputEnded = true;
    this.push(null);
  }

  /** What the relay's stderr says went wrong, if anything. */
  private failure(): DockerLevelsError | undefined {
    const text = this.stderrText;
    const { name, port, dind } = this.info;
    if (text.includes(NO_TOOL_MARKER)) {
      return new DockerLevelsError('noTunnelTool', `The relay cannot start in ${dind}: it has neither socat nor nc.`,
        'Docker Levels relays ports with socat or busybox nc in the dind container (docker:dind carries nc).');
    }
    if (/connection refused/i.test(text)) return notListening(name, port, 'connection refused');
    const m = /(no route to host|host is unreachable|network is unreachable|connection timed out|timed out)/i.exec(text);
    if (m) return new DockerLevelsError('unreachable', `Port ${port} of container ${name} cannot be reached from ${dind} (${m[1].toLowerCase()}).`);
    return undefined;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.socket.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    // Half-close: the relay passes the end of input on to the service.
    (this.socket as Duplex & { end(): void }).end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.settle(err ?? new DockerLevelsError('cancelled', 'The relay was closed.'));
    this.socket.destroy();
    this.stdout.destroy();
    cb(err);
  }
}

/**
 * Whether something listens on the port, found with one relay (which is closed at once):
 * undefined when it does, else the error a connection would get. With busybox nc, which says
 * nothing on success, a refusal arrives just after it starts: it gets `ncWindowMs` to come.
 */
export async function probePort(request: PortRelayRequest, ncWindowMs = 1500): Promise<DockerLevelsError | undefined> {
  let relay: Duplex;
  try {
    relay = await openPortRelay(request);
  } catch (err) {
    return classifyError(err);
  }
  try {
    if (!(relay instanceof RelayStream) || !relay.viaNc) return undefined;
    return await new Promise<DockerLevelsError | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ncWindowMs);
      relay.once('error', (err) => { clearTimeout(timer); resolve(classifyError(err)); });
      relay.once('close', () => { clearTimeout(timer); resolve(undefined); });
      relay.resume();
    });
  } finally {
    relay.destroy();
  }
}
