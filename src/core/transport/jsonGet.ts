import type Docker from 'dockerode';
import * as http from 'node:http';
import * as https from 'node:https';
import { abortReason } from '../abort';
import { DockerLevelsError } from '../errors';
import { MAX_BODY_BYTES, TOO_LARGE_HINT } from '../untrusted/limits';

/**
 * GET one small JSON (or text) document on a client's own connection: its socket path, or its
 * agent (keep-alive TCP, TLS context, exec tunnel). The tree's hot reads (list, info, ping)
 * go through here instead of dockerode: docker-modem's per-request work (URL parsing and
 * resolving, a util.inspect of the whole request, a stream abort hook) costs 0.5–1 ms a
 * request, about 20 % of a warm listing, measured in `npm run bench`. Everything else
 * (streams, hijack, POST, ssh) stays on dockerode.
 */
export type JsonGet = (path: string, timeoutMs: number, what: string, signal?: AbortSignal) => Promise<unknown>;

/** The parts of docker-modem's settings a plain GET needs (its documented constructor options). */
interface ModemSettings {
  socketPath?: string | (() => unknown);
  host?: string;
  port?: number | string;
  protocol?: string;
  agent?: http.Agent;
  checkServerIdentity?: unknown;
}

/**
 * A getter that dials exactly as `docker` does, or undefined when that cannot be done with a
 * plain request (ssh makes its agent per request; a socket path given as a function).
 */
export function jsonGetFor(docker: Docker): JsonGet | undefined {
  const m = docker.modem as unknown as ModemSettings;
  if (typeof m.socketPath === 'function') return undefined;
  let base: http.RequestOptions & { checkServerIdentity?: unknown };
  let request: typeof http.request;
  if (m.socketPath) {
    base = { socketPath: m.socketPath, agent: m.agent };
    request = http.request;
  } else if (m.protocol === 'http' || m.protocol === 'https') {
    base = { host: m.host, port: Number(m.port), agent: m.agent };
    if (m.checkServerIdentity) base.checkServerIdentity = m.checkServerIdentity;
    request = m.protocol === 'https' ? https.request : http.request;
  } else {
    return undefined;
  }
  return (path, timeoutMs, what, signal) => get(request, { ...base, path, method: 'GET' }, timeoutMs, what, signal);
}

/** Failures shaped like docker-modem's, so classifyError reads both the same way. */
class HttpStatusError extends Error {
  constructor(readonly statusCode: number, readonly json: unknown, text: string) {
    super(`(HTTP code ${statusCode}) unexpected - ${(json as { message?: string } | undefined)?.message ?? text}`);
  }
}

function get(request: typeof http.request, options: http.RequestOptions, timeoutMs: number, what: string,
  signal: AbortSignal | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(timeoutMs, what, signal));
    let settled = false;
    // One timer and one listener, not an AbortController per call: this is the hot path.
    const finish = (err: unknown, value?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err); else resolve(value);
    };
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_BODY_BYTES) {
          // Stop reading at the cap: a hostile level could send gigabytes.
          stop(new DockerLevelsError('notADaemon',
            `${what}: the answer is larger than ${MAX_BODY_BYTES / (1024 * 1024)} MB; stopped reading.`, TOO_LARGE_HINT));
          chunks.length = 0;
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => finish(err));
      res.on('end', () => {
        if (settled) return;
        const text = Buffer.concat(chunks).toString();
        const isJson = /json/.test(res.headers['content-type'] ?? '');
        let body: unknown = text;
        if (isJson) {
          try {
            body = JSON.parse(text);
          } catch (err) {
            return finish(err);
          }
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) finish(undefined, body);
        else finish(new HttpStatusError(status, isJson ? body : undefined, text.trim()));
      });
    });
    const stop = (reason: unknown) => {
      finish(reason);
      req.destroy();
    };
    const timer = setTimeout(() => stop(abortReason(timeoutMs, what, undefined)), timeoutMs);
    const onAbort = () => stop(abortReason(timeoutMs, what, signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish(err));
    req.end();
  });
}
