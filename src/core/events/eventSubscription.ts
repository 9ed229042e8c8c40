import type { Disposable } from '../disposable';
import { classifyError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import type { Logger } from '../log';

export interface ContainerEvent {
  action: string;
  containerId: string;
  time: number;
}

export type SubscriptionState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface EventSubscriptionOptions {
  onEvent: (event: ContainerEvent) => void;
  onState?: (state: SubscriptionState, error?: string) => void;
  log: Logger;
  /** First reconnect delay; doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * A container-event stream for one daemon that reconnects after drops, with backoff.
 * Dispose closes the stream and cancels any pending reconnect.
 */
export class EventSubscription implements Disposable {
  private stream: NodeJS.ReadableStream & { destroy?: () => void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private disposed = false;
  private since = Math.floor(Date.now() / 1000);
  private readonly controller = new AbortController();
  state: SubscriptionState = 'connecting';

  constructor(private readonly daemon: DaemonLevel, private readonly options: EventSubscriptionOptions) {
    this.delay = options.initialDelayMs ?? 500;
    void this.connect();
  }

  private setState(state: SubscriptionState, error?: string): void {
    this.state = state;
    this.options.onState?.(state, error);
  }

  private async connect(): Promise<void> {
    if (this.disposed) return;
    try {
      const stream = await this.daemon.call('Subscribing to events', () => this.daemon.docker.getEvents({
        // Replays what happened while disconnected, so nothing is missed across a reconnect.
        since: this.since, filters: { type: ['container'] }, abortSignal: this.controller.signal,
      }) as Promise<NodeJS.ReadableStream>);
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
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) this.handle(line);
        }
      });
      const dropped = (err?: unknown) => {
        if (this.stream !== stream) return;
        this.stream = undefined;
        this.scheduleReconnect(err ? classifyError(err, this.daemon.what).message : 'event stream ended');
      };
      stream.on('end', () => dropped());
      stream.on('close', () => dropped());
      stream.on('error', (err) => dropped(err));
    } catch (err) {
      this.scheduleReconnect(classifyError(err, this.daemon.what).message);
    }
  }

  private handle(line: string): void {
    try {
      const e = JSON.parse(line) as { Action?: string; status?: string; id?: string; Actor?: { ID?: string }; time?: number };
      const containerId = e.Actor?.ID ?? e.id;
      if (!containerId) return;
      if (e.time) this.since = Math.max(this.since, e.time);
      this.options.onEvent({ action: e.Action ?? e.status ?? '', containerId, time: e.time ?? 0 });
    } catch {
      this.options.log.debug(`unparsable event line from ${this.daemon.label}`);
    }
  }

  private scheduleReconnect(reason: string): void {
    if (this.disposed) return;
    this.setState('reconnecting', reason);
    this.options.log.debug(`events of ${this.daemon.label}: ${reason}; reconnecting in ${this.delay} ms`);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.options.maxDelayMs ?? 30_000);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.controller.abort();
    this.stream?.destroy?.();
    this.stream = undefined;
    this.setState('closed');
  }
}
