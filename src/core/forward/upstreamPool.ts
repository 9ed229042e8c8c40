import { setMaxListeners } from 'node:events';
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import type { Logger } from '../log';
import { PendingStream } from './pendingStream';

/** Kept streams per forwarder that short requests take turns on, one request at a time each. */
export const POOLED_STREAMS = 4;
/** Short requests that may wait for a kept stream; one more is refused at once (503). */
export const MAX_WAITING_REQUESTS = 256;
/**
 * A kept stream unused this long is closed: each holds a process at every hop. Longer than a
 * client's pause between commands (compose, an IDE polling), so a burst pays the opening once.
 */
export const KEPT_STREAM_IDLE_MS = 60_000;

export interface UpstreamPoolOptions {
  streams?: number;
  waiting?: number;
  idleMs?: number;
}

/**
 * An http.Agent over a few kept streams to one level's daemon, for routes where each new
 * stream starts a process at every hop (exec tunnels, a command's stdio, ssh sessions).
 * Plain requests go one at a time per stream with HTTP/1.1 keep-alive; the Agent queues the
 * rest. One stream more is kept ready (the spare), so a request that needs a stream of its
 * own (attach, events, logs -f) does not wait for a process to start.
 */
export class UpstreamPool extends http.Agent {
  readonly streams: number;
  readonly waitingLimit: number;
  readonly idleMs: number;
  /** Kept streams waiting for their next request, each with the timer that closes it. */
  private readonly idle = new Map<Duplex, NodeJS.Timeout>();
  private readonly closing = new AbortController();
  private spare: Duplex | undefined;
  private refilling = false;
  private inFlight = 0;
  private opened = 0;
  /** Kept streams being opened right now, and open ones. */
  private connecting = 0;
  private ready = 0;

  constructor(private readonly open: (signal: AbortSignal) => Promise<Duplex>, private readonly log: Logger, options: UpstreamPoolOptions = {}) {
    const streams = options.streams ?? POOLED_STREAMS;
    super({ keepAlive: true, maxSockets: streams, maxFreeSockets: streams, scheduling: 'fifo' });
    this.streams = streams;
    this.waitingLimit = options.waiting ?? MAX_WAITING_REQUESTS;
    this.idleMs = options.idleMs ?? KEPT_STREAM_IDLE_MS;
    // Every opening listens to it: one per kept, spare or own stream being opened.
    setMaxListeners(Infinity, this.closing.signal);
  }

  /** docker-modem style: show a label, not the socket pool, if anything inspects the options. */
  [inspect.custom](): string {
    return `UpstreamPool(${this.inFlight} in flight, ${this.opened} opened)`;
  }

  /** Streams opened since start: kept, spare and dedicated ones. */
  get streamsOpened(): number {
    return this.opened;
  }

  /** Kept streams open now, busy or idle (the spare not counted). */
  get keptStreamsOpen(): number {
    return this.ready;
  }

  /** Short requests sent or waiting for a kept stream. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  /**
   * Counts a short request in, or returns undefined when the queue is full. The returned
   * function counts it out (safe to call more than once).
   */
  admit(): (() => void) | undefined {
    if (this.inFlight >= this.streams + this.waitingLimit) return undefined;
    this.inFlight++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
    };
  }

  /** Keeps `stream` (an opened, checked one) as the spare; a spare already kept wins. */
  keepSpare(stream: Duplex): void {
    if (this.spare || this.closing.signal.aborted || stream.destroyed) {
      stream.destroy();
      return;
    }
    this.spare = stream;
    // A spare that dies (its level restarted) is dropped; it is not reopened until one is taken.
    stream.once('close', () => { if (this.spare === stream) this.spare = undefined; });
    stream.on('error', () => undefined);
  }

  /** A stream for one use: the spare when ready (then another is opened behind it), else a new one. */
  async stream(signal?: AbortSignal): Promise<Duplex> {
    const spare = this.spare;
    if (spare && !spare.destroyed && spare.readable) {
      this.spare = undefined;
      spare.removeAllListeners('error');
      this.refill();
      return spare;
    }
    const stream = await this.open(signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal);
    this.opened++;
    return stream;
  }

  private refill(): void {
    if (this.refilling || this.closing.signal.aborted) return;
    this.refilling = true;
    this.open(this.closing.signal).then(
      (stream) => {
        this.opened++;
        this.keepSpare(stream);
      },
      (err: unknown) => this.log.debug(`no spare stream: ${(err as Error).message}`),
    ).finally(() => { this.refilling = false; });
  }

  override createConnection(): Duplex {
    // Handed over at once, so the Agent counts it toward maxSockets while it opens.
    const pending = new PendingStream();
    pending.once('close', () => this.stopIdle(pending));
    this.connecting++;
    this.stream().then(
      (stream) => {
        this.connecting--;
        if (pending.destroyed) {
          stream.destroy();
          return;
        }
        this.ready++;
        stream.once('close', () => this.ready--);
        pending.join(stream);
      },
      (err: unknown) => {
        this.connecting--;
        this.failWaitingIfNoStream(err as Error);
        pending.destroy(err as Error);
      },
    );
    return pending;
  }

  /** The Agent keeps a stream whose request ended: from now on it counts as idle. */
  override keepSocketAlive(socket: Duplex): boolean {
    const kept = (super.keepSocketAlive as (s: Duplex) => boolean)(socket);
    if (kept && !this.idle.has(socket)) {
      const timer = setTimeout(() => {
        this.idle.delete(socket);
        this.log.debug(`a kept stream idle for ${this.idleMs} ms is closed`);
        socket.destroy();
      }, this.idleMs);
      // An idle stream must not keep the process alive: the forwarder's server does that.
      timer.unref();
      this.idle.set(socket, timer);
    }
    return kept;
  }

  /** The Agent hands a kept stream to the next request: it is busy again. */
  override reuseSocket(socket: Duplex, request: http.ClientRequest): void {
    this.stopIdle(socket);
    super.reuseSocket(socket, request);
  }

  private stopIdle(socket: Duplex): void {
    const timer = this.idle.get(socket);
    if (timer) clearTimeout(timer);
    this.idle.delete(socket);
  }

  /**
   * The Agent gives queued requests a stream only when one frees or closes: with none open
   * and none opening after a failed open, each would try once more in turn. They fail with
   * its reason instead.
   */
  private failWaitingIfNoStream(err: Error): void {
    if (this.connecting > 0 || this.ready > 0) return;
    for (const list of Object.values(this.requests)) {
      for (const req of (list ?? []).splice(0)) (req as unknown as http.ClientRequest).destroy(err);
    }
  }

  override destroy(): void {
    this.closing.abort();
    for (const timer of this.idle.values()) clearTimeout(timer);
    this.idle.clear();
    this.spare?.destroy();
    this.spare = undefined;
    super.destroy();
  }
}

/**
 * A checked or spare stream is left paused (nothing may be lost before its reader comes), and
 * an explicitly paused stream stays so when Node's HTTP client adds its data listener. The
 * client attaches it in a tick queued before this resume takes effect.
 */
export function resumeForClient(stream: Duplex): void {
  stream.resume();
}
