import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { checkBuildPrune, checkContainerCreate, checkExecCreate, checkImageDelete } from '../untrusted/engineShapes';

/**
 * The Engine API writes Docker Levels makes, typed: each is one bounded request
 * (DaemonLevel.requestJson, capped at MAX_JSON_BODY_BYTES with the level's deadline) and each
 * answer is shape-checked where it arrives (untrusted/engineShapes.ts). dockerode is left only
 * for streams: pulls, loads, logs, archives read, and the hijacked exec start.
 */
export interface EngineTarget {
  readonly what: string;
  requestJson(what: string, method: string, path: string, options?: { body?: unknown; signal?: AbortSignal; timeoutMs?: number }): Promise<unknown>;
}

const id = (x: string) => encodeURIComponent(x);
const query = (params: Record<string, string | number | boolean | undefined>): string => {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
};

interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** POST /containers/create: the new container's full ID and the daemon's warnings. */
export async function createContainer(level: EngineTarget, config: Docker.ContainerCreateOptions, options: CallOptions = {}): Promise<{ id: string; warnings: string[] }> {
  const { name, ...body } = config as Docker.ContainerCreateOptions & { abortSignal?: unknown };
  delete (body as { abortSignal?: unknown }).abortSignal;
  const answer = await level.requestJson('Creating container', 'POST', `/containers/create${query({ name: name || undefined })}`, { ...options, body });
  return checkContainerCreate(answer, level.what);
}

export type ContainerAction = 'start' | 'stop' | 'restart' | 'pause' | 'unpause';

/** POST /containers/{id}/{action}. A 304 (already in that state) comes back as an error with that status. */
export async function containerAction(level: EngineTarget, containerId: string, action: ContainerAction, what: string, options: CallOptions = {}): Promise<void> {
  await level.requestJson(what, 'POST', `/containers/${id(containerId)}/${action}`, options);
}

/** DELETE /containers/{id}; `v` removes its anonymous volumes too (a level's /var/lib/docker). */
export async function deleteContainer(level: EngineTarget, containerId: string, params: { force?: boolean; v?: boolean }, what: string,
  options: CallOptions = {}): Promise<void> {
  await level.requestJson(what, 'DELETE', `/containers/${id(containerId)}${query({ force: params.force || undefined, v: params.v || undefined })}`, options);
}

/** POST /containers/{id}/exec: the exec's ID, to start with dockerode's hijacked stream. */
export async function createExec(level: EngineTarget, containerId: string, config: Omit<Docker.ExecCreateOptions, 'abortSignal'>,
  options: CallOptions = {}): Promise<string> {
  const answer = await level.requestJson('Creating exec', 'POST', `/containers/${id(containerId)}/exec`, { ...options, body: config });
  return checkExecCreate(answer, level.what);
}

/** POST /exec/{id}/resize. */
export async function resizeExec(level: EngineTarget, execId: string, cols: number, rows: number, options: CallOptions = {}): Promise<void> {
  await level.requestJson('Resizing exec', 'POST', `/exec/${id(execId)}/resize${query({ h: rows, w: cols })}`, options);
}

/** DELETE /images/{name}: what was untagged and deleted. */
export async function deleteImage(level: EngineTarget, image: string, params: { force?: boolean }, options: CallOptions = {}): Promise<{ untagged: string[]; deleted: string[] }> {
  const answer = await level.requestJson('Removing image', 'DELETE', `/images/${id(image)}${query({ force: params.force || undefined })}`, options);
  return checkImageDelete(answer, level.what);
}

/** DELETE /volumes/{name}. */
export async function deleteVolume(level: EngineTarget, name: string, params: { force?: boolean }, options: CallOptions = {}): Promise<void> {
  await level.requestJson('Removing volume', 'DELETE', `/volumes/${id(name)}${query({ force: params.force || undefined })}`, options);
}

/** DELETE /networks/{id}. */
export async function deleteNetwork(level: EngineTarget, network: string, options: CallOptions = {}): Promise<void> {
  await level.requestJson('Removing network', 'DELETE', `/networks/${id(network)}`, options);
}

/** POST /build/prune: the unused build cache, and the bytes the daemon says it freed. */
export async function pruneBuildCache(level: EngineTarget, options: CallOptions = {}): Promise<{ spaceReclaimed: number | undefined }> {
  return checkBuildPrune(await level.requestJson('Pruning the build cache', 'POST', '/build/prune', options), level.what);
}

/**
 * PUT /containers/{id}/archive?path=DIR with a tar streamed as the body. The daemon extracts it
 * as root; a file never replaces a directory, nor a directory a file.
 */
export async function putArchive(level: EngineTarget, containerId: string, dir: string, tar: Readable, what: string,
  options: CallOptions = {}): Promise<void> {
  await level.requestJson(what, 'PUT', `/containers/${id(containerId)}/archive${query({ path: dir, noOverwriteDirNonDir: true })}`, { ...options, body: tar });
}
