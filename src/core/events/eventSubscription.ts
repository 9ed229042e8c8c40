import type { Disposable } from '../disposable';
import { classifyError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import type { Logger } from '../log';
import { checkEvent } from '../untrusted/engineShapes';
import { MAX_EVENT_LINE_BYTES } from '../untrusted/limits';

export interface ContainerEvent {
  action: string;
  containerId: string;
  time: number;
}

/** Kinds of a level's other objects whose events the same stream can carry. */
export type ObjectEventType = 'image' | 'volume' | 'network';
export const OBJECT_EVENT_TYPES: readonly ObjectEventType[] = ['image', 'volume', 'network'];

/** An image, volume or network event: `id` is the image ID or reference, volume name or network ID. */
export interface ObjectEvent {
  type: ObjectEventType;
  action: string;
  id: string;
  time: number;
}

export type SubscriptionState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface EventSubscriptionOptions {
  onEvent: (event: ContainerEvent) => void;
  onState?: (state: SubscriptionState, error?: string) => void;
  /** When given, the stream also carries image, volume and network events, delivered here. */
  onObjectEvent?: (event: ObjectEvent) => void;
  log: Logger;
  /** First reconnect delay; doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Idle time before the kernel starts probing a TCP stream (then every second, 10 times).
   * The events API has no heartbeat: without probes, a peer that vanishes without a reset (a
   * killed container behind NAT, a link that drops packets) leaves the stream silent for
   * good. Probes are not requests: an idle tree still makes none.
   */
  keepAliveMs?: number;
}

export const DEFAULT_KEEPALIVE_MS = 5_000;

/**
 * A container-event stream for one daemon that reconnects after drops, with backoff.
 * It ends ('closed') when disposed, or when its level is closed, which closes the stream (the
 * owner subscribes to the level that replaces it). Dispose closes the stream and cancels any
 * pending reconnect.
 */
export class EventSubscription implements Disposable {
  private stream: NodeJS.ReadableStream & { destroy?: () => void } | undefined;
  /** Aborts the request of the current attempt or stream. */
  private attempt: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private disposed = false;
  private since = Math.floor(Date.now() / 1000);
  private readonly controller = new AbortController();
  private readonly streamReady: Disposable;
  state: SubscriptionState = 'connecting';

  constructor(private readonly daemon: DaemonLevel, private readonly options: EventSubscriptionOptions) {
    this.delay = options.initialDelayMs ?? 500;
    // A followed level is in use: its next connection (a terminal, logs) should not wait.
    this.streamReady = daemon.keepStreamReady();
    void this.connect();
  }

  private setState(state: SubscriptionState, error?: string): void {
    this.state = state;
    this.options.onState?.(state, error);
  }

  private async connect(): Promise<void> {
    if (this.disposed) return;
    if (this.daemon.isDisposed) return this.end('its level was closed');
    // One controller per attempt: an attempt that times out must not leave its request open
    // (a daemon that answers late would hand back a stream nobody reads).
    const attempt = new AbortController();
    this.attempt = attempt;
    try {
      const stream = await this.daemon.call('Subscribing to events', () => this.daemon.docker.getEvents({
        // Replays what happened while disconnected, so nothing is missed across a reconnect.
        since: this.since, filters: { type: this.options.onObjectEvent ? ['container', ...OBJECT_EVENT_TYPES] : ['container'] }, abortSignal: AbortSignal.any([this.controller.signal, attempt.signal]),
      }) as Promise<NodeJS.ReadableStream>, this.controller.signal);
      if (this.disposed) {
        (stream as { destroy?: () => void }).destroy?.();
        return;
      }
      this.stream = stream;
      this.delay = this.options.initialDelayMs ?? 500;
      this.setState('live');
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        if (buffered.length > MAX_EVENT_LINE_BYTES && buffered.lastIndexOf('\n') < 0) {
          // No real event is this long: a lying level's endless line is dropped with its stream.
          buffered = '';
          (stream as { destroy?: (err?: Error) => void }).destroy?.(new Error(`an event line longer than ${MAX_EVENT_LINE_BYTES} bytes`));
          return;
        }
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) this.handle(line);
        }
      });
      const dropped = (err?: unknown) => {
        if (this.stream !== stream) return;
        this.dropStream();
        this.scheduleReconnect(err ? classifyError(err, this.daemon.what).message : 'event stream ended');
      };
      stream.on('end', () => dropped());
      stream.on('close', () => dropped());
      stream.on('error', (err) => dropped(err));
      // A TCP (or TLS) stream: tunnels and unix sockets end by themselves when their peer goes.
      (stream as { socket?: { setKeepAlive?: (on: boolean, ms: number) => void } }).socket?.setKeepAlive?.(true, this.options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS);
    } catch (err) {
      attempt.abort();
      if (this.attempt === attempt) this.attempt = undefined;
      this.scheduleReconnect(classifyError(err, this.daemon.what).message);
    }
  }

  private handle(line: string): void {
    try {
      const e = checkEvent(JSON.parse(line));
      if (!e) return void this.options.log.debug(`an event from ${this.daemon.label} that is not the Engine API's was left out`);
      if (e.time) this.since = Math.max(this.since, e.time);
      if (e.type && e.type !== 'container') {
        const type = OBJECT_EVENT_TYPES.find((t) => t === e.type);
        if (type) this.options.onObjectEvent?.({ type, action: e.action, id: e.id, time: e.time });
        return;
      }
      this.options.onEvent({ action: e.action, containerId: e.id, time: e.time });
    } catch {
      this.options.log.debug(`unparsable event line from ${this.daemon.label}`);
    }
  }

  /** Closes the current stream and its request, quietly: the caller decides what comes next. */
  private dropStream(): void {
    const stream = this.stream;
    this.stream = undefined;
    this.attempt?.abort();
    this.attempt = undefined;
    stream?.destroy?.();
  }

  private scheduleReconnect(reason: string): void {
    if (this.disposed) return;
    if (this.daemon.isDisposed) return this.end('its level was closed');
    this.setState('reconnecting', reason);
    this.options.log.debug(`events of ${this.daemon.label}: ${reason}; reconnecting in ${this.delay} ms`);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.options.maxDelayMs ?? 30_000);
  }

  /** Ends the subscription for good, saying why. */
  private end(reason: string): void {
    if (this.disposed) return;
    this.options.log.debug(`events of ${this.daemon.label}: ${reason}; subscription closed`);
    // 'closed' with the level disposed tells owners it ended for good; they may dispose it right there.
    this.close(reason);
  }

  private close(reason?: string): void {
    this.disposed = true;
    this.streamReady.dispose();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.abort();
    this.dropStream();
    this.setState('closed', reason);
  }

  dispose(): void {
    if (this.disposed) return;
    this.close();
  }
}
