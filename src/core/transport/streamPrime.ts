import type { Duplex } from 'node:stream';

/** A ping answer is a status line, a few headers and "OK"; a real daemon's fits in far less. */
const MAX_PING_ANSWER_BYTES = 8 * 1024;

/**
 * Sends GET /_ping on a fresh stream and reads the whole answer, so the stream is known to
 * reach a daemon end to end. An exec's stream is open as soon as its process is spawned; the
 * docker CLI's dial-stdio then takes most of a tunnel's first-request cost to start and
 * connect. A stream kept ahead is primed this way, or its first user still waits for that.
 * Resolves when a complete 200 answer arrived and nothing more; fails otherwise.
 */
export function primeWithPing(stream: Duplex, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const done = (err?: Error) => {
      clearTimeout(timer);
      // Read with 'readable', not 'data': without listeners the stream is back to its first
      // state, and the http client that takes it next starts it flowing as on any socket.
      stream.off('readable', onReadable);
      stream.off('error', onFail);
      stream.off('close', onClose);
      if (err) reject(err); else resolve();
    };
    const onFail = (err: Error) => done(err);
    const onClose = () => done(new Error('the stream closed before the ping was answered'));
    const onReadable = () => {
      for (let chunk: Buffer | null; (chunk = stream.read() as Buffer | null) !== null;) got = Buffer.concat([got, chunk]);
      if (got.length > MAX_PING_ANSWER_BYTES) return done(new Error('the ping answer is larger than a daemon sends'));
      const head = got.indexOf('\r\n\r\n');
      if (head < 0) return;
      const header = got.subarray(0, head).toString('latin1');
      if (!/^HTTP\/1\.[01] 200 /.test(header)) return done(new Error(`the ping was answered ${JSON.stringify(header.split('\r\n')[0].slice(0, 80))}`));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(header);
      if (!length) return done(new Error('the ping answer has no Content-Length'));
      const end = head + 4 + Number(length[1]);
      if (got.length < end) return;
      done(got.length === end ? undefined : new Error('the ping answer was followed by more bytes'));
    };
    const timer = setTimeout(() => done(new Error(`the ping was not answered within ${timeoutMs} ms`)), timeoutMs);
    stream.on('readable', onReadable);
    stream.on('error', onFail);
    stream.on('close', onClose);
    stream.write('GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n');
  });
}
