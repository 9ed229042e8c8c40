import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DockerLevelsError, classifyError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { inspectContent } from '../contents/levelContents';
import { readProgress } from '../untrusted/progressLines';

export interface TransferOptions {
  /** Called with the bytes streamed so far. */
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
}

export async function hasImage(daemon: DaemonLevel, image: string, signal?: AbortSignal): Promise<boolean> {
  try {
    // Bounded and shape-checked, like every inspect answer from a level.
    await inspectContent(daemon, 'image', image, signal);
    return true;
  } catch (err) {
    if (classifyError(err).kind === 'notFound') return false;
    throw err;
  }
}

/**
 * Streams an image from one level to another (GET /images/get → POST /images/load) without
 * touching the disk here. Works between any two levels, whatever their transports.
 */
export async function copyImage(from: DaemonLevel, to: DaemonLevel, image: string, options: TransferOptions = {}): Promise<{ bytes: number }> {
  if (!(await hasImage(from, image, options.signal))) {
    throw new DockerLevelsError('notFound', `Image ${image} is not on ${from.what}.`, 'Pull or build it there first.');
  }
  let bytes = 0;
  let lastReport = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (options.onProgress && bytes - lastReport >= 1 << 20) {
        lastReport = bytes;
        options.onProgress(bytes);
      }
      cb(null, chunk);
    },
  });
  try {
    // GET /images/{name}/get takes no options in dockerode; the pipeline below honours the signal.
    const source = await from.call('Saving image', () => from.docker.getImage(image).get(), options.signal);
    const response = await Promise.all([
      to.docker.loadImage(counter as unknown as NodeJS.ReadableStream, { quiet: true, abortSignal: options.signal }),
      pipeline(source, counter, { signal: options.signal }),
    ]).then(([res]) => res as NodeJS.ReadableStream);
    // Bounded per line and in all; an error line fails the copy with its message (progressLines.ts).
    await readProgress(response, `Loading ${image} into ${to.what}`, { signal: options.signal });
  } catch (err) {
    throw classifyError(err, `copying ${image} to ${to.what}`);
  }
  options.onProgress?.(bytes);
  return { bytes };
}
