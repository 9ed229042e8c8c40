import * as http from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Short requests (list, inspect, exec create, ping) share this many keep-alive streams per
 * level; more wait a few milliseconds for one instead of opening another.
 */
export const SHORT_REQUEST_STREAMS = 4;

/**
 * Requests that hold their connection for as long as they live: event and log streams,
 * attach, wait, stats, exec start, image transfers, builds, archives. Each gets a stream of
 * its own, outside the shared ones, so none can starve them.
 */
const LONG_LIVED = /^(?:\/v[\d.]+)?\/(?:events|containers\/[^/?]+\/(?:attach|wait|stats|export|archive)|exec\/[^/?]+\/start|images\/(?:get|load|create|[^?]+\/(?:get|push))|build|session)(?:[/?]|$)/;
const FOLLOWED_LOGS = /^(?:\/v[\d.]+)?\/containers\/[^/?]+\/logs\?(?:.*&)?follow=(?:1|true)(?:&|$)/;
const STATS_ONCE = /[?&]stream=(?:0|false)(?:&|$)/;

export function isLongLivedRequest(path: string | null | undefined): boolean {
  if (!path) return false;
  if (FOLLOWED_LOGS.test(path)) return true;
  if (!LONG_LIVED.test(path)) return false;
  return !(/\/stats(?:\?|$)/.test(path) && STATS_ONCE.test(path));
}

const HELD = Symbol('held');

/**
 * An http.Agent whose connections are opened streams (an exec tunnel, a command's stdio):
 * opening one costs a process start or more at every hop above, so short requests share a
 * small pool. Without it, 20 parallel clients opened a stream each at every level, and each of
 * those needed short requests (exec create) one level up, which opened streams there too: the
 * cost grew with depth. Long-lived requests get a stream each (a pool of their own name), never
 * kept idle after.
 */
export abstract class StreamPoolAgent extends http.Agent {
  private held = 0;

  constructor() {
    super({ keepAlive: true, maxSockets: SHORT_REQUEST_STREAMS, maxFreeSockets: SHORT_REQUEST_STREAMS });
  }

  abstract openStream(signal?: AbortSignal): Promise<Duplex>;

  override getName(options?: http.ClientRequestArgs): string {
    const name = super.getName(options);
    return isLongLivedRequest(options?.path) ? `${name}#held${++this.held}` : name;
  }

  override createConnection(options: unknown, callback?: (err: Error | null, socket: Duplex) => void): Duplex | undefined {
    const held = String((options as { _agentKey?: string })._agentKey ?? '').includes('#held');
    this.openStream().then(
      (stream) => {
        if (held) (stream as Duplex & { [HELD]?: boolean })[HELD] = true;
        callback?.(null, stream);
      },
      (err: unknown) => callback?.(err as Error, undefined as unknown as Duplex),
    );
    return undefined;
  }

  /** A held stream is closed when its request ends: nothing else would ever use it. */
  override keepSocketAlive(socket: Duplex & { [HELD]?: boolean }): boolean {
    if (socket[HELD]) return false;
    return (super.keepSocketAlive as (s: Duplex) => boolean)(socket);
  }
}
