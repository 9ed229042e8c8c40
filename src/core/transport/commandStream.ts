import { ChildProcess, spawn } from 'node:child_process';
import * as http from 'node:http';
import { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import { DockerLevelsError } from '../errors';
import type { Logger } from '../log';
import { displayText } from '../untrusted/displayText';
import { MAX_TUNNEL_STDERR_CHARS } from '../untrusted/limits';
import type { RawStreamSource } from './rawStream';

/** One program to run per stream, and how to explain its failure from its stderr. */
export interface StdioCommand {
  argv: readonly string[];
  /** A sentence for a failed run, or undefined for the generic one. */
  explain?(stderr: string, exitCode: number | null): DockerLevelsError | undefined;
  /** Called once when the stream is gone (frees its ssh session). */
  release?(): void;
}

/** Where each stream's command comes from; it may first set something up (an ssh master). */
export interface StdioCommandSource {
  readonly label: string;
  command(signal?: AbortSignal): Promise<StdioCommand>;
  dispose(): void;
}

/**
 * An http.Agent whose every connection is a new run of a program whose stdin and stdout speak
 * the Engine API (`docker system dial-stdio`, `ssh HOST docker system dial-stdio`,
 * `kubectl exec -i POD -- docker system dial-stdio`). No shell: argv is run as given.
 */
export class CommandStreamAgent extends http.Agent implements RawStreamSource {
  private readonly open = new Set<CommandStream>();

  constructor(private readonly source: StdioCommandSource, private readonly log: Logger) {
    // No cap: hijacked streams and event streams hold a connection for as long as they live.
    super({ keepAlive: true, maxFreeSockets: 4 });
  }

  /** docker-modem inspects every request's options: show a label, not the socket pool. */
  [inspect.custom](): string {
    return `CommandStreamAgent(${this.source.label}, ${this.open.size} streams)`;
  }

  override createConnection(_options: unknown, callback?: (err: Error | null, socket: Duplex) => void): Duplex | undefined {
    this.openStream().then(
      (stream) => callback?.(null, stream),
      (err: unknown) => callback?.(err as Error, undefined as unknown as Duplex),
    );
    return undefined;
  }

  async openStream(signal?: AbortSignal): Promise<Duplex> {
    const command = await this.source.command(signal);
    if (signal?.aborted) {
      command.release?.();
      throw new DockerLevelsError('cancelled', `Connecting to ${this.source.label}: cancelled.`);
    }
    const [file, ...args] = command.argv;
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const stream = new CommandStream(child, command, this.source.label, this.log);
    this.open.add(stream);
    stream.once('close', () => {
      this.open.delete(stream);
      command.release?.();
    });
    return stream;
  }

  override destroy(): void {
    super.destroy();
    for (const s of this.open) s.destroy();
    this.open.clear();
    this.source.dispose();
  }
}

/**
 * A child's stdout and stdin as one duplex socket. Its end waits for the child's exit, so a
 * failed run (ssh refused, no such pod) ends the stream with the reason instead of a bare EOF.
 */
class CommandStream extends Duplex {
  private stderrText = '';
  private exited: { code: number | null } | undefined;
  private stdoutEnded = false;
  private sawOutput = false;

  constructor(private readonly child: ChildProcess, private readonly command: StdioCommand, private readonly label: string, log: Logger) {
    super({ allowHalfOpen: false });
    const { stdin, stdout, stderr } = child as ChildProcess & { stdin: NodeJS.WritableStream; stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream };
    stderr.on('data', (chunk: Buffer) => {
      // Kept only to explain a failure: the far side cannot grow it without bound.
      if (this.stderrText.length < MAX_TUNNEL_STDERR_CHARS) this.stderrText = (this.stderrText + chunk.toString()).slice(0, MAX_TUNNEL_STDERR_CHARS);
      log.debug(`${label}: ${displayText(chunk.toString().trim())}`);
    });
    stdout.on('data', (chunk: Buffer) => {
      this.sawOutput = true;
      if (!this.push(chunk)) stdout.pause();
    });
    stdout.on('end', () => {
      this.stdoutEnded = true;
      this.finish();
    });
    // The child's stdin closes under us when it exits: that is its end, not our error.
    stdin.on('error', () => undefined);
    child.on('error', (err) => this.destroy(new DockerLevelsError('unreachable',
      `Cannot run ${displayText(command.argv[0])} for ${label}: ${err.message}.`, 'Check that the program is installed and on PATH.', err)));
    child.on('exit', (code) => {
      this.exited = { code };
      this.finish();
    });
  }

  private finish(): void {
    if (this.destroyed || !this.stdoutEnded || !this.exited) return;
    const { code } = this.exited;
    if (code !== 0 && !this.sawOutput) {
      const why = this.stderrText.trim();
      this.destroy(this.command.explain?.(why, code) ?? new DockerLevelsError('unreachable',
        `${this.label} exited with ${code === null ? 'a signal' : `code ${code}`} before answering${why ? `: ${displayText(why)}` : ''}.`,
        'Run the command by hand to see what it needs.'));
      return;
    }
    this.push(null);
  }

  override _read(): void {
    (this.child.stdout as NodeJS.ReadableStream | null)?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed) return cb();
    stdin.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    // Half-close: dial-stdio closes its side once its stdin ends.
    this.child.stdin?.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    cb(err);
  }

  // What node's http client and Agent call on a net.Socket; a pipe has no such knobs.
  setTimeout(_ms: number, cb?: () => void): this { if (cb) this.once('timeout', cb); return this; }
  setNoDelay(): this { return this; }
  setKeepAlive(): this { return this; }
  ref(): this { return this; }
  unref(): this { return this; }
}

/** A fixed command as a root: `docker exec -i C docker system dial-stdio`, `kubectl exec -i …`. */
export function fixedCommandSource(argv: readonly string[], label: string): StdioCommandSource {
  return { label, command: async () => ({ argv }), dispose: () => undefined };
}
