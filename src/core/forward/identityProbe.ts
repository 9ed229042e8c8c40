import type { Duplex } from 'node:stream';
import { abortReason, deadline } from '../abort';
import { DockerLevelsError } from '../errors';
import type { DaemonIdentity } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';
import { checkDaemonInfo } from '../untrusted/engineShapes';
import { MAX_IDENTITY_ANSWER_BYTES, TOO_LARGE_HINT } from '../untrusted/limits';

/** `Host` is required by Go's HTTP/1.1 server; keep-alive is HTTP/1.1's default. */
const INFO_REQUEST = 'GET /info HTTP/1.1\r\nHost: docker\r\nUser-Agent: docker-levels-forwarder\r\nAccept: application/json\r\n\r\n';

/**
 * Asks the daemon at the far end of a fresh stream who it is (GET /info), on that very stream,
 * before any byte of a client goes there: the stream that was checked is the one that carries
 * the client's requests. Leaves the stream paused right after the answer, ready to be spliced.
 * Nothing is read past one bounded answer.
 */
export function probeIdentity(stream: Duplex, what: string, timeoutMs: number, signal?: AbortSignal): Promise<DaemonIdentity> {
  const stop = deadline(timeoutMs, signal);
  return new Promise<DaemonIdentity>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (err: Error | undefined, identity?: DaemonIdentity, rest?: Buffer) => {
      stream.off('data', onData);
      stream.off('error', onError);
      stream.off('end', onEnd);
      stop.removeEventListener('abort', onAbort);
      stream.pause();
      if (rest?.length) stream.unshift(rest);
      if (err) reject(err);
      else resolve(identity!);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_IDENTITY_ANSWER_BYTES) {
        return settle(new DockerLevelsError('notADaemon', `The /info answer of ${what} is larger than ${MAX_IDENTITY_ANSWER_BYTES} bytes.`, TOO_LARGE_HINT));
      }
      try {
        const parsed = parseAnswer(Buffer.concat(chunks), what);
        if (parsed) settle(undefined, parsed.identity, parsed.rest);
      } catch (err) {
        settle(err as Error);
      }
    };
    const onError = (err: Error) => settle(err);
    const onEnd = () => settle(new DockerLevelsError('unreachable', `${what} closed the connection instead of answering /info.`));
    const onAbort = () => settle(abortReason(timeoutMs, `The identity check of ${what}`, signal));
    if (stop.aborted) return onAbort();
    stream.on('data', onData);
    stream.once('error', onError);
    stream.once('end', onEnd);
    stop.addEventListener('abort', onAbort, { once: true });
    stream.write(INFO_REQUEST);
  });
}

/** One HTTP/1.1 answer, once it is complete (Content-Length or chunked); undefined until then. */
function parseAnswer(buf: Buffer, what: string): { identity: DaemonIdentity; rest: Buffer } | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
  if (!status) throw new DockerLevelsError('notADaemon', `${what} does not answer HTTP: ${displayText(head[0], 80)}`);
  const headers = new Map(head.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as const;
  }));
  let offset = headEnd + 4;
  let body: Buffer;
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', offset);
      if (lineEnd < 0) return undefined;
      const length = parseInt(buf.subarray(offset, lineEnd).toString('latin1'), 16);
      if (!Number.isInteger(length) || length < 0) throw new DockerLevelsError('notADaemon', `${what} sent a malformed chunked /info answer.`);
      if (buf.length < lineEnd + 2 + length + 2) return undefined;
      parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + length));
      offset = lineEnd + 2 + length + 2;
      if (length === 0) break;
    }
    body = Buffer.concat(parts);
  } else {
    const length = Number(headers.get('content-length'));
    if (!Number.isInteger(length) || length < 0) throw new DockerLevelsError('notADaemon', `${what} answered /info with no length.`);
    if (buf.length < offset + length) return undefined;
    body = buf.subarray(offset, offset + length);
    offset += length;
  }
  if (status[1] !== '200') {
    throw new DockerLevelsError('notADaemon', `${what} answered /info with HTTP ${status[1]}: ${displayText(body.toString('utf8'), 200)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new DockerLevelsError('notADaemon', `${what} answered /info with something that is not JSON.`);
  }
  const info = checkDaemonInfo<{ ID: string; Name: string }>(json, what);
  return { identity: { id: info.ID, name: info.Name }, rest: buf.subarray(offset) };
}
