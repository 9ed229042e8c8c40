import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { DockerLevelsError } from '../errors';

/**
 * One accepted client and its stream to the daemon, spliced byte for byte. Nothing is parsed,
 * so upgraded connections (attach, exec, `run -it`) and endless responses (`logs -f`,
 * `events`) pass as they are. End of input is passed on as a half-close in each direction;
 * once one side has closed, the other gets `lingerMs` to finish before it is destroyed.
 */
export class ForwardedConnection {
  private upstream: Duplex | undefined;
  private readonly opening = new AbortController();
  private lingerTimer: NodeJS.Timeout | undefined;
  private clientClosed = false;
  private upstreamClosed = true;
  private closed = false;

  constructor(
    readonly id: number,
    private readonly client: net.Socket,
    private readonly lingerMs: number,
    private readonly onClosed: (conn: ForwardedConnection, error?: Error) => void,
  ) {
    client.on('error', (err) => this.destroy(err));
    client.once('close', () => this.sideClosed('client'));
  }

  /** Cancels the opening of the daemon stream when the connection goes first. */
  get signal(): AbortSignal {
    return this.opening.signal;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Calls `open` once the client has sent its first bytes (Docker's API is client-speaks-first),
   * keeping them for the daemon. A client that hangs up without a word, like a liveness probe,
   * costs no daemon stream, which at depth N would be N execs.
   */
  whenClientSpeaks(open: () => void): void {
    const onData = (chunk: Buffer) => {
      this.client.off('end', onEnd);
      this.client.pause();
      this.client.unshift(chunk);
      open();
    };
    const onEnd = () => {
      this.client.off('data', onData);
      this.client.end();
    };
    this.client.once('data', onData);
    this.client.once('end', onEnd);
  }

  /** Splices the client to its daemon stream and lets the client's bytes flow. */
  attach(upstream: Duplex): void {
    if (this.closed) {
      upstream.destroy();
      return;
    }
    this.upstream = upstream;
    this.upstreamClosed = false;
    upstream.on('error', (err) => this.destroy(err));
    upstream.once('close', () => this.sideClosed('upstream'));
    upstream.pipe(this.client);
    this.client.pipe(upstream);
  }

  /**
   * The daemon could not be reached: answer the client's request with a 502 whose JSON
   * message the docker CLI prints ("Error response from daemon: …"), then close.
   */
  fail(error: DockerLevelsError): void {
    if (this.closed) return;
    const body = JSON.stringify({ message: `docker-levels: ${error.userMessage}` });
    this.client.resume(); // drain the request, so closing does not reset the connection first
    this.client.end([
      'HTTP/1.1 502 Bad Gateway',
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '', body,
    ].join('\r\n'));
    this.armLinger(this.client);
  }

  /** Closes both sides at once (stop, or an error on either side). */
  destroy(error?: Error): void {
    if (this.closed) return;
    this.opening.abort();
    this.client.destroy();
    this.upstream?.destroy();
    this.finish(error);
  }

  private sideClosed(side: 'client' | 'upstream'): void {
    if (side === 'client') this.clientClosed = true;
    else this.upstreamClosed = true;
    if (this.clientClosed && this.upstreamClosed) {
      this.finish();
      return;
    }
    // The other side has been sent its end of input by the pipe, or gets it now.
    const other = side === 'client' ? this.upstream : this.client;
    if (other && !other.destroyed) {
      other.end();
      this.armLinger(other);
    }
  }

  private armLinger(side: Duplex): void {
    if (this.lingerTimer) return;
    this.lingerTimer = setTimeout(() => side.destroy(), this.lingerMs);
  }

  private finish(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.opening.abort();
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.onClosed(this, error);
  }
}
