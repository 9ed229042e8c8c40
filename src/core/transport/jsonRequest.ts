import type Docker from 'dockerode';
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import { abortReason } from '../abort';
import { MAX_JSON_BODY_BYTES, tooLargeAnswer } from '../untrusted/limits';
import { isOwnClient } from './dockerClient';

/**
 * One Engine API request whose answer is a small JSON (or text) document, on a client's own
 * connection: its socket path, or its agent (keep-alive TCP, TLS context, exec tunnel). Every
 * such request, of any method, goes through here instead of dockerode: docker-modem buffers a
 * whole answer unbounded, and its per-request work (URL parsing, a util.inspect of the whole
 * request, a stream abort hook) costs 0.5–1 ms a request, about 20 % of a warm listing
 * (`npm run bench`). Streams and hijacked exec starts stay on dockerode.
 */
export interface JsonRequestOptions {
  /** Sent as JSON; a Readable (a tar) is streamed as it is, as application/x-tar. */
  body?: unknown;
  timeoutMs: number;
  /** What is being done, for errors: "Creating container on level l1 (…)". */
  what: string;
  signal?: AbortSignal;
}

export type JsonRequest = (method: string, path: string, options: JsonRequestOptions) => Promise<unknown>;

/** The parts of docker-modem's settings a plain request needs (its documented constructor options). */
interface ModemSettings {
  socketPath?: string | (() => unknown);
  host?: string;
  port?: number | string;
  protocol?: string;
  agent?: http.Agent;
  checkServerIdentity?: unknown;
}

/**
 * A requester that dials exactly as `docker` does. Only clients made by createDockerClient
 * are accepted: each has a socket path or its own agent, so there is never a second,
 * unbounded way to the same daemon.
 */
export function jsonRequestFor(docker: Docker): JsonRequest {
  const m = docker.modem as unknown as ModemSettings;
  if (!isOwnClient(docker)) throw new Error('Not a client made by createDockerClient: its answers would not be bounded.');
  let base: http.RequestOptions & { checkServerIdentity?: unknown };
  let request: typeof http.request;
  if (typeof m.socketPath === 'string') {
    base = { socketPath: m.socketPath, agent: m.agent };
    request = http.request;
  } else if (m.protocol === 'http' || m.protocol === 'https') {
    base = { host: m.host, port: Number(m.port), agent: m.agent };
    if (m.checkServerIdentity) base.checkServerIdentity = m.checkServerIdentity;
    request = m.protocol === 'https' ? https.request : http.request;
  } else {
    throw new Error(`A client made by createDockerClient with protocol ${String(m.protocol)}: no plain request can reach it.`);
  }
  return (method, path, options) => send(request, { ...base, path, method }, options);
}

/** Failures shaped like docker-modem's, so classifyError reads both the same way. */
class HttpStatusError extends Error {
  constructor(readonly statusCode: number, readonly json: unknown, text: string) {
    super(`(HTTP code ${statusCode}) unexpected - ${(json as { message?: string } | undefined)?.message ?? text}`);
  }
}

function send(request: typeof http.request, options: http.RequestOptions, call: JsonRequestOptions): Promise<unknown> {
  const { timeoutMs, what, signal } = call;
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
    const streamed = call.body instanceof Readable ? call.body : undefined;
    const json = call.body === undefined || streamed ? undefined : JSON.stringify(call.body);
    const headers: http.OutgoingHttpHeaders = {};
    if (json !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
    if (streamed) headers['Content-Type'] = 'application/x-tar';
    const req = request({ ...options, headers }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        // Counted as it arrives, whatever the status: a lying level's endless body is cut, never buffered.
        if (bytes > MAX_JSON_BODY_BYTES) {
          chunks.length = 0;
          return stop(tooLargeAnswer(what));
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => finish(err));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const isJson = /json/.test(res.headers['content-type'] ?? '');
        let body: unknown = text;
        if (isJson && text.trim()) {
          try {
            body = JSON.parse(text);
          } catch (err) {
            return finish(err);
          }
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) finish(undefined, isJson && !text.trim() ? undefined : body);
        else finish(new HttpStatusError(status, isJson ? body : undefined, text.trim()));
      });
    });
    const stop = (reason: unknown) => {
      finish(reason);
      req.destroy();
      streamed?.unpipe(req);
    };
    const timer = setTimeout(() => stop(abortReason(timeoutMs, what, undefined)), timeoutMs);
    const onAbort = () => stop(abortReason(timeoutMs, what, signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish(err));
    if (streamed) {
      streamed.on('error', (err) => stop(err));
      streamed.pipe(req);
    } else {
      req.end(json);
    }
  });
}
