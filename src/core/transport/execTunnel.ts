import type Docker from 'dockerode';
import * as http from 'node:http';
import { Duplex, PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import { withDeadline } from '../abort';
import { DockerLevelsError } from '../errors';
import type { Logger } from '../log';
import { displayText } from '../untrusted/displayText';
import { checkExecCreate } from '../untrusted/engineShapes';
import { MAX_TUNNEL_STDERR_CHARS } from '../untrusted/limits';
import { jsonRequestFor } from './jsonRequest';
import { primeWithPing } from './streamPrime';
import { demuxFrames } from './frameDemux';

/**
 * The program run inside the dind container: a raw byte pipe to its own daemon socket.
 * `docker system dial-stdio` is what the docker CLI's ssh:// transport runs on the far side;
 * socat and a netcat with -U do the same where the image has no docker CLI.
 */
const NO_TOOL_MARKER = 'docker-levels: no tunnel tool';
const NO_SOCKET_MARKER = 'docker-levels: no daemon socket';
const TUNNEL_SCRIPT = [
  // A container without the socket runs no daemon: say so rather than blame the tools.
  `[ -S /var/run/docker.sock ] || { echo "${NO_SOCKET_MARKER}" >&2; exit 3; }`,
  'if command -v docker >/dev/null 2>&1; then exec docker system dial-stdio; fi',
  'if command -v socat >/dev/null 2>&1; then exec socat - UNIX-CONNECT:/var/run/docker.sock; fi',
  // nc by its path on PATH: a busybox shell runs its own nc applet (no -U) for a bare `nc`,
  // even where the image has a real one. OpenBSD netcat lists its options after tabs.
  'nc=$(IFS=:; for d in $PATH; do if [ -x "$d/nc" ]; then echo "$d/nc"; break; fi; done)',
  'if [ -n "$nc" ] && "$nc" -h 2>&1 | grep -q -- "[[:space:]]-U"; then exec "$nc" -U /var/run/docker.sock; fi',
  `echo "${NO_TOOL_MARKER}" >&2; exit 127`,
].join('\n');
const SHELL_COMMAND = ['sh', '-c', TUNNEL_SCRIPT];
const DIRECT_COMMAND = ['docker', 'system', 'dial-stdio'];

/**
 * An http.Agent whose every connection is an exec of a byte pipe inside a container, made
 * through the parent daemon's client. Hop by hop: the parent client may itself be tunnelled.
 */
export class ExecTunnelAgent extends http.Agent {
  private command = SHELL_COMMAND;
  private readonly open = new Set<Duplex>();
  /** How many want a spare kept (see keepSpare). */
  private spareHolders = 0;
  /** A stream opened ahead of need, ready or opening. */
  private spare: Promise<Duplex | undefined> | undefined;
  private spareReady: Duplex | undefined;
  private destroyed = false;
  /** Streams handed out that were opened ahead (for tests and the benchmark). */
  sparesTaken = 0;

  constructor(
    private readonly parent: Docker,
    private readonly containerId: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    /** The container's name, for messages. */
    private readonly label = containerId.slice(0, 12),
  ) {
    // No cap on sockets: each one is a stream whose exec the hop below holds for as long as
    // it lives (hijacked sessions, `logs -f`, events), so a capped pool starves under the
    // ordinary parallel load of compose or Testcontainers. Idle ones are still kept few.
    super({ keepAlive: true, maxFreeSockets: 4 });
  }

  /**
   * docker-modem formats every request's options with util.inspect (showHidden, no depth
   * limit) even with debug logging off; without this, walking the agent's socket pool and the
   * clients behind it cost tens of milliseconds per request.
   */
  [inspect.custom](): string {
    return `ExecTunnelAgent(${this.label}, ${this.open.size} streams)`;
  }

  override createConnection(_options: unknown, callback?: (err: Error | null, socket: Duplex) => void): Duplex | undefined {
    this.nextStream().then(
      (stream) => callback?.(null, stream),
      (err: unknown) => callback?.(err as Error, undefined as unknown as Duplex),
    );
    return undefined;
  }

  /**
   * While held, one stream is kept open ahead, so a new connection to a level in use (a
   * watched level: a terminal, logs, a second client) does not wait for `dial-stdio` to start
   * at every hop. It costs one idle process per hop and no requests; released, it is closed.
   */
  keepSpare(): { dispose(): void } {
    this.spareHolders++;
    this.refillSpare();
    let held = true;
    return {
      dispose: () => {
        if (!held) return;
        held = false;
        if (--this.spareHolders === 0) this.dropSpare();
      },
    };
  }

  /** Streams of this agent open now (spare included). */
  get streamsOpen(): number {
    return this.open.size;
  }

  /** Whether a spare stream is open and waiting. */
  get spareIsReady(): boolean {
    return !!this.spareReady && !this.spareReady.destroyed;
  }

  /** The spare when one is ready and open (then another is opened ahead), else a new stream. */
  private async nextStream(): Promise<Duplex> {
    const ready = this.spareReady;
    if (ready && !ready.destroyed) {
      this.spareReady = undefined;
      this.spare = undefined;
      ready.off('error', this.spareFailed);
      this.sparesTaken++;
      // The next spare is opened once this one's first answer arrives: opening it is a process
      // start at every hop, which would slow the very request that took this one.
      const refill = () => { ready.off('data', refill); ready.off('close', refill); this.refillSpare(); };
      ready.once('data', refill);
      ready.once('close', refill);
      return ready;
    }
    return this.openStream();
  }

  private refillSpare(): void {
    if (this.spare || this.spareHolders === 0 || this.destroyed) return;
    const opening: Promise<Duplex | undefined> = this.openPrimed().then((stream) => {
      if (this.spare !== opening || this.spareHolders === 0 || this.destroyed) {
        stream.destroy();
        return undefined;
      }
      this.spareReady = stream;
      // Unused, it has no other listener: its failure (its daemon went) must not be uncaught.
      stream.on('error', this.spareFailed);
      // A spare that ends unused is dropped; the next connection opens anew.
      stream.once('close', () => {
        if (this.spareReady === stream) { this.spareReady = undefined; this.spare = undefined; }
      });
      return stream;
    }, (err: unknown) => {
      // Not an error anyone asked for: the next real connection opens its own and reports.
      this.spareFailed(err);
      if (this.spare === opening) this.spare = undefined;
      return undefined;
    });
    this.spare = opening;
  }

  private readonly spareFailed = (err: unknown): void => {
    this.log.debug(`tunnel ${this.label}: no spare stream (${displayText(String((err as Error)?.message ?? err))})`);
  };

  /** A new stream that has answered a ping (see primeWithPing); closed if it does not. */
  private async openPrimed(): Promise<Duplex> {
    const stream = await this.openStream();
    try {
      await primeWithPing(stream, this.timeoutMs);
      return stream;
    } catch (err) {
      stream.destroy();
      throw err;
    }
  }

  private dropSpare(): void {
    const ready = this.spareReady;
    this.spareReady = undefined;
    this.spare = undefined;
    ready?.destroy();
  }

  /** A new byte stream to the inner daemon. `signal` cancels the opening, not the stream. */
  async openStream(signal?: AbortSignal): Promise<Duplex> {
    const short = this.label;
    try {
      return await this.execPipe(this.command, signal);
    } catch (err) {
      // An image without `sh` cannot run the probing script; try the docker CLI directly.
      if (err instanceof DockerLevelsError && err.kind === 'unknown' && /executable file not found|no such file/i.test(err.message)
        && this.command === SHELL_COMMAND) {
        this.log.debug(`tunnel ${short}: no sh in the image, trying docker system dial-stdio directly`);
        this.command = DIRECT_COMMAND;
        return this.execPipe(this.command, signal);
      }
      throw err;
    }
  }

  private async execPipe(cmd: string[], cancel?: AbortSignal): Promise<Duplex> {
    const short = this.label;
    const started = Date.now();
    let opening: Promise<Duplex> | undefined;
    let socket: Duplex;
    try {
      socket = await withDeadline(this.timeoutMs, `Opening an exec tunnel into ${short}`, cancel, (signal) => opening = (async () => {
        // Bounded and shape-checked, like every answer of a daemon (the parent is a level too).
        const created = await jsonRequestFor(this.parent)('POST', `/containers/${encodeURIComponent(this.containerId)}/exec`, {
          body: { Cmd: cmd, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false },
          timeoutMs: this.timeoutMs, what: `Creating an exec in ${short}`, signal,
        });
        const execId = checkExecCreate(created, `daemon above ${short}`);
        return (await this.parent.getExec(execId).start({ hijack: true, stdin: true })) as unknown as Duplex;
      })());
    } catch (err) {
      // The start does not observe the signal: a stream that arrives after the deadline or a
      // cancel has no owner, so close it rather than leave an exec running.
      opening?.then((late) => late.destroy(), () => undefined);
      throw err;
    }
    const tunnel = new TunnelStream(socket, short, this.log);
    this.open.add(tunnel);
    tunnel.once('close', () => this.open.delete(tunnel));
    this.log.trace(`tunnel ${short}: stream opened in ${Date.now() - started} ms`);
    return tunnel;
  }

  override destroy(): void {
    this.destroyed = true;
    this.dropSpare();
    super.destroy();
    for (const s of this.open) s.destroy();
    this.open.clear();
  }
}

/**
 * The demultiplexed stdout of a hijacked exec as a duplex socket for node's http client.
 * stderr is kept to explain failures (no tool, no daemon inside).
 */
class TunnelStream extends Duplex {
  private readonly stdout = new PassThrough();
  private stderrText = '';

  constructor(private readonly socket: Duplex, label: string, log: Logger) {
    super({ allowHalfOpen: false });
    const stderr = new PassThrough();
    demuxFrames(socket, this.stdout, stderr);
    stderr.on('data', (chunk: Buffer) => {
      // Kept only to explain a failure: a level cannot grow it without bound.
      if (this.stderrText.length < MAX_TUNNEL_STDERR_CHARS) this.stderrText = (this.stderrText + chunk.toString()).slice(0, MAX_TUNNEL_STDERR_CHARS);
      log.debug(`tunnel ${label}: ${displayText(chunk.toString().trim())}`);
      if (this.stderrText.includes(NO_TOOL_MARKER)) {
        this.destroy(new DockerLevelsError('noTunnelTool',
          `The container ${label} has no tool to tunnel to its daemon (docker CLI, socat or nc -U).`,
          'Publish the daemon port (PORT or -p 2375), or add the docker CLI or socat to the image.'));
      }
    });
    this.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    const finish = () => {
      if (this.destroyed) return;
      const why = this.stderrText.trim();
      if (why && (why.includes(NO_SOCKET_MARKER) || /cannot connect to the docker daemon|no such file or directory|connection refused/i.test(why))) {
        const detail = why.includes(NO_SOCKET_MARKER) ? 'it has no /var/run/docker.sock' : why;
        this.destroy(new DockerLevelsError('notADaemon', `No Docker daemon answers inside ${label}: ${detail}.`,
          'Its daemon may still be starting, or it may have none.'));
      } else {
        this.push(null);
      }
    };
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (err) => this.destroy(err));
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.socket.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    // Half-close: the pipe inside exits once its stdin ends.
    (this.socket as Duplex & { end(): void }).end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.socket.destroy();
    this.stdout.destroy();
    cb(err);
  }

  // What node's http client and Agent call on a net.Socket; the exec stream has no such knobs.
  setTimeout(_ms: number, cb?: () => void): this { if (cb) this.once('timeout', cb); return this; }
  setNoDelay(): this { return this; }
  setKeepAlive(): this { return this; }
  ref(): this { return this; }
  unref(): this { return this; }
}
