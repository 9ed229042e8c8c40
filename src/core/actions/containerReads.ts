import type Docker from 'dockerode';
import { PassThrough, Readable } from 'node:stream';
import type { Disposable } from '../disposable';
import { listLevelImages } from '../contents/levelContents';
import type { DaemonLevel } from '../levels/daemonLevel';
import type { LevelImage } from '../untrusted/contentShapes';
import { demuxFrames } from '../transport/frameDemux';

/** What the front ends see of Docker's data, without importing the client library. */
export type ContainerSummary = Docker.ContainerInfo;
export type ContainerDetails = Docker.ContainerInspectInfo;
export type ImageSummary = LevelImage;

/** GET /containers/{id}/json, bounded and classified. */
export function inspectContainer(daemon: DaemonLevel, containerId: string, signal?: AbortSignal): Promise<ContainerDetails> {
  return daemon.inspectContainer(containerId, signal);
}

/** GET /images/json, bounded, shape-checked (entries of the wrong shape left out) and classified. */
export async function listImages(daemon: DaemonLevel, signal?: AbortSignal): Promise<ImageSummary[]> {
  return (await listLevelImages(daemon, signal)).items;
}

/** A followed log: one text stream (stdout and stderr already demuxed) that ends with the container's log. */
export interface LogFollow extends Disposable {
  readonly output: Readable;
}

/**
 * Follows a container's logs. Opening is bounded by the level's deadline; the stream itself
 * lives until the caller disposes it or `signal` aborts. `tty` says whether the container
 * writes a raw stream (TTY) or Docker's multiplexed one.
 */
export async function followContainerLogs(daemon: DaemonLevel, containerId: string, tty: boolean,
  options: { tail?: number; signal?: AbortSignal } = {}): Promise<LogFollow> {
  const signal = options.signal;
  // The stream outlives the call's deadline, so it takes only the caller's own signal.
  const stream = await daemon.call('Following logs', () => daemon.docker.getContainer(containerId).logs({
    follow: true, stdout: true, stderr: true, tail: options.tail ?? 1000, abortSignal: signal,
  } as never) as unknown as Promise<NodeJS.ReadableStream & { destroy(): void }>, signal);
  const output = new PassThrough();
  if (tty) stream.pipe(output); else demuxFrames(stream, output, output);
  if (!tty) stream.on('end', () => output.end());
  stream.on('error', (err) => output.destroy(err));
  return {
    output,
    dispose: () => {
      stream.destroy();
      output.destroy();
    },
  };
}
