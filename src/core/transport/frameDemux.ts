import type { Writable } from 'node:stream';

/** Header of one frame of Docker's multiplexed stream: type (0 stdin, 1 stdout, 2 stderr), 3 zero bytes, length. */
const HEADER_BYTES = 8;

/**
 * Splits a non-TTY exec, attach or logs stream (Docker's 8-byte frame headers) into stdout and
 * stderr as the bytes arrive. It replaces docker-modem's demuxStream, which holds each frame
 * whole until its last byte came, concatenating every chunk onto it: a header may announce a
 * 4 GB frame, so a level could make the extension host hold gigabytes. Here a frame's payload
 * is passed on piece by piece and nothing is held beyond one partial header. Like docker-modem:
 * type 1 goes to stdout and 0 and 2 to stderr; a header of any other type means the stream is
 * not multiplexed (a TTY), and the rest passes to stdout as it is; the writables are not ended.
 */
export function demuxFrames(source: NodeJS.ReadableStream, stdout: Writable, stderr: Writable): void {
  let header = Buffer.alloc(0);
  let frameLeft = 0;
  let target: Writable = stdout;
  let raw = false;
  source.on('data', (chunk: Buffer) => {
    let at = 0;
    while (at < chunk.length) {
      if (raw) {
        stdout.write(chunk.subarray(at));
        return;
      }
      if (frameLeft > 0) {
        const take = Math.min(frameLeft, chunk.length - at);
        target.write(chunk.subarray(at, at + take));
        frameLeft -= take;
        at += take;
        continue;
      }
      const need = HEADER_BYTES - header.length;
      header = Buffer.concat([header, chunk.subarray(at, at + need)]);
      at += Math.min(need, chunk.length - at);
      if (header.length < HEADER_BYTES) return;
      const type = header[0];
      if (type > 2) {
        raw = true;
        stdout.write(header);
      } else {
        target = type === 1 ? stdout : stderr;
        frameLeft = header.readUInt32BE(4);
      }
      header = Buffer.alloc(0);
    }
  });
}
