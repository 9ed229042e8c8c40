import type Docker from 'dockerode';
import type * as http from 'node:http';
import { MAX_FAILED_STREAM_BODY_BYTES, tooLargeAnswer } from '../untrusted/limits';

/**
 * docker-modem reads the whole body of a failed stream request (pull, load, logs, archives,
 * a hijacked exec start) into one string before it reports the failure: a level that answers
 * 500 with 2 GB ends the process (ERR_STRING_TOO_LONG, or out of memory). This replaces that
 * read, on each client's own modem only, with one that stops at MAX_FAILED_STREAM_BODY_BYTES.
 *
 * Checked against docker-modem 5.0.7 (lib/modem.js): `Modem.prototype.buildPayload(err,
 * isStream, statusCodes, openStdin, req, res, json, cb)` is called once per answer; for a stream
 * whose status is not in `statusCodes` it reads `res` whole (its inner `getCause`) and calls
 * `cb` with an Error carrying `reason`, `statusCode` and `json`. Any other answer is passed to
 * it unchanged. test/unit/modemFailureBody.test.ts fails if docker-modem changes that shape.
 */
type BuildPayload = (err: unknown, isStream: boolean, statusCodes: Record<number, unknown>, openStdin: boolean,
  req: http.ClientRequest, res: http.IncomingMessage, json: unknown, cb: (err: unknown, value: unknown) => void) => void;

/** The docker-modem version this module was checked against. */
export const CHECKED_MODEM_VERSION = '5.0.7';

export function boundFailedStreamBodies(docker: Docker): void {
  const modem = docker.modem as unknown as { buildPayload?: BuildPayload };
  const original = modem.buildPayload;
  if (typeof original !== 'function' || original.length !== 8) {
    throw new Error(`docker-modem's buildPayload is not the one of docker-modem ${CHECKED_MODEM_VERSION}: failed stream bodies could not be bounded.`);
  }
  modem.buildPayload = function (err, isStream, statusCodes, openStdin, req, res, json, cb) {
    if (err || !isStream || statusCodes[res.statusCode ?? 0] === true) {
      return original.call(this, err, isStream, statusCodes, openStdin, req, res, json, cb);
    }
    readFailure(res, statusCodes, (e) => {
      req.destroy?.();
      cb(e, null);
    });
  };
}

/** The same Error docker-modem would build, from a body read at most MAX_FAILED_STREAM_BODY_BYTES far. */
function readFailure(res: http.IncomingMessage, statusCodes: Record<number, unknown>, done: (err: unknown) => void): void {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let finished = false;
  const finish = (e: unknown) => {
    if (finished) return;
    finished = true;
    done(e);
  };
  res.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_FAILED_STREAM_BODY_BYTES) {
      chunks.length = 0;
      res.destroy();
      return finish(tooLargeAnswer(`The failure answer (HTTP ${res.statusCode})`, MAX_FAILED_STREAM_BODY_BYTES));
    }
    chunks.push(chunk);
  });
  res.on('error', finish);
  res.on('end', () => {
    const text = Buffer.concat(chunks).toString();
    let json: unknown;
    try { json = JSON.parse(text); } catch { json = undefined; }
    const cause = json as { message?: unknown; error?: unknown } | undefined;
    const message = typeof cause?.message === 'string' ? cause.message : typeof cause?.error === 'string' ? cause.error : text;
    const reason = statusCodes[res.statusCode ?? 0];
    const e = Object.assign(new Error(`(HTTP code ${res.statusCode}) ${String(reason || 'unexpected')} - ${message} `), {
      reason, statusCode: res.statusCode, json: json ?? text,
    });
    finish(e);
  });
}
