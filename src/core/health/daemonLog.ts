import type { Readable } from 'node:stream';
import type { DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';

/** The whole log Show Daemon Log opens: a daemon's own log is far smaller unless it loops. */
export const MAX_DAEMON_LOG_BYTES = 1024 * 1024;
/** The lines shown in a failure node. */
export const FAILURE_LOG_LINES = 8;

export interface ContainerLog {
  /** Display-safe lines, oldest first. */
  lines: string[];
  /** The log was longer than MAX_DAEMON_LOG_BYTES and its start was not read. */
  truncated: boolean;
}

/**
 * The last `tail` lines of a container's own log (for a dind container: its dockerd's stderr),
 * read from the daemon one level up, bounded in bytes, each line made display-safe.
 */
export async function readContainerLog(parent: DaemonLevel, containerId: string, options: { tail?: number; signal?: AbortSignal } = {}): Promise<ContainerLog> {
  const tail = options.tail ?? 2000;
  const query = `stdout=1&stderr=1&follow=0&tail=${tail}`;
  const raw = await parent.call('Reading a container log', (s) => new Promise<Buffer>((resolve, reject) => {
    parent.docker.modem.dial({ path: `/containers/${encodeURIComponent(containerId)}/logs?${query}`, method: 'GET', isStream: true,
      statusCodes: { 200: true, 404: 'no such container' }, abortSignal: s } as never, (err: unknown, stream: unknown) => {
      if (err) return reject(err);
      collect(stream as Readable, MAX_DAEMON_LOG_BYTES).then(resolve, reject);
    });
  }), options.signal);
  const { text, truncated } = demux(raw);
  const lines = text.split(/\r?\n/).filter((l, i, all) => l || i < all.length - 1).map((l) => displayText(l, 400));
  return { lines: lines.slice(-tail), truncated: truncated || raw.length >= MAX_DAEMON_LOG_BYTES };
}

/** The last lines for a failure node; empty when the log cannot be read (the failure says enough). */
export async function daemonLogTail(parent: DaemonLevel, containerId: string, signal?: AbortSignal): Promise<string[]> {
  try {
    return (await readContainerLog(parent, containerId, { tail: FAILURE_LOG_LINES, signal })).lines;
  } catch {
    return [];
  }
}

function collect(stream: Readable, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const done = () => {
      stream.destroy();
      resolve(Buffer.concat(chunks));
    };
    stream.on('data', (c: Buffer) => {
      if (bytes >= max) return;
      chunks.push(c.subarray(0, max - bytes));
      bytes += Math.min(c.length, max - bytes);
      if (bytes >= max) done();
    });
    stream.on('end', done);
    stream.on('error', reject);
  });
}

/**
 * A log without a TTY comes in frames (1 byte stream, 3 zero, 4 bytes length); with a TTY it
 * is plain text. A frame cut by the byte cap ends the text.
 */
export function demux(buf: Buffer): { text: string; truncated: boolean } {
  const framed = buf.length >= 8 && buf[0] <= 2 && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
  if (!framed) return { text: buf.toString('utf8'), truncated: false };
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const size = buf.readUInt32BE(at + 4);
    parts.push(buf.subarray(at + 8, Math.min(buf.length, at + 8 + size)));
    if (at + 8 + size > buf.length) return { text: Buffer.concat(parts).toString('utf8'), truncated: true };
    at += 8 + size;
  }
  return { text: Buffer.concat(parts).toString('utf8'), truncated: false };
}
