import { DockerLevelsError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';
import { MAX_PATH_STAT_HEADER_BYTES } from '../untrusted/limits';
import { containerPathError, normalizeContainerPath } from './containerPath';

export type PathKind = 'file' | 'directory' | 'symlink' | 'other';

/** What HEAD /containers/{id}/archive says of one path (lstat: a symlink is itself). */
export interface ContainerPathStat {
  name: string;
  size: number;
  /** Unix permission bits (0o7777). */
  permissions: number;
  kind: PathKind;
  /** Milliseconds since the epoch. */
  mtimeMs: number;
  /** For a symlink: the absolute path it resolves to inside the container, as the daemon resolved it. */
  linkTarget: string;
}

// Go's os.FileMode type bits, which the daemon sends as they are.
const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;
const GO_MODE_TYPE = GO_MODE_DIR | 2 ** 27 | 2 ** 26 | 2 ** 25 | 2 ** 24 | 2 ** 21 | 2 ** 19;

/** The header, shape-checked: base64 of {"name","size","mode","mtime","linkTarget"}. */
export function parsePathStatHeader(header: unknown, what: string): ContainerPathStat {
  const bad = (detail: string) => new DockerLevelsError('notADaemon',
    `The path stat from ${what} is not what the Engine API sends: ${detail}.`, 'This level may not be what it claims.');
  if (typeof header !== 'string' || !header) throw bad('the X-Docker-Container-Path-Stat header is missing');
  if (header.length > MAX_PATH_STAT_HEADER_BYTES) throw bad(`the header passed ${MAX_PATH_STAT_HEADER_BYTES} bytes`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw bad('the header is not base64 JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('not an object');
  const { name, size, mode, mtime, linkTarget } = json;
  if (typeof name !== 'string') throw bad('name is not a string');
  if (!Number.isSafeInteger(size) || (size as number) < 0) throw bad('size is not a byte count');
  if (!Number.isSafeInteger(mode) || (mode as number) < 0 || (mode as number) >= 2 ** 32) throw bad('mode is not a file mode');
  const mtimeMs = typeof mtime === 'string' ? Date.parse(mtime) : NaN;
  if (Number.isNaN(mtimeMs)) throw bad('mtime is not a time');
  if (linkTarget !== undefined && typeof linkTarget !== 'string') throw bad('linkTarget is not a string');
  const m = mode as number;
  const type = m & GO_MODE_TYPE;
  const kind: PathKind = type === 0 ? 'file' : (m & GO_MODE_DIR) ? 'directory' : (m & GO_MODE_SYMLINK) ? 'symlink' : 'other';
  return { name, size: size as number, permissions: m & 0o7777, kind, mtimeMs, linkTarget: (linkTarget as string | undefined) ?? '' };
}

/** HEAD /containers/{id}/archive?path=: works in stopped containers and ones without a shell. */
export async function statContainerPath(daemon: DaemonLevel, containerId: string, path: string, signal?: AbortSignal): Promise<ContainerPathStat> {
  const abs = normalizeContainerPath(path);
  const headers = await daemon.call(`Reading ${displayText(abs)}`, async (s) => {
    try {
      const res = await daemon.docker.getContainer(containerId).infoArchive({ path: abs, abortSignal: s }) as unknown as
        { headers: Record<string, string | undefined>; destroy(): void };
      res.destroy();
      return res.headers;
    } catch (err) {
      throw containerPathError(err, abs, daemon.what);
    }
  }, signal);
  return parsePathStatHeader(headers['x-docker-container-path-stat'], daemon.what);
}

/** Follows symlinks (as the daemon resolved them), at most `hops` times. */
export async function statFollowing(daemon: DaemonLevel, containerId: string, path: string, signal?: AbortSignal,
  hops = 8): Promise<{ stat: ContainerPathStat; resolvedPath: string; viaLink: boolean }> {
  let current = normalizeContainerPath(path);
  let viaLink = false;
  for (let i = 0; i <= hops; i++) {
    const stat = await statContainerPath(daemon, containerId, current, signal);
    if (stat.kind !== 'symlink' || !stat.linkTarget) return { stat, resolvedPath: current, viaLink };
    viaLink = true;
    current = normalizeContainerPath(stat.linkTarget.startsWith('/') ? stat.linkTarget : `${parentOf(current)}/${stat.linkTarget}`);
  }
  throw new DockerLevelsError('badInput', `${displayText(path)} is a chain of more than ${hops} symbolic links.`);
}

export function parentOf(path: string): string {
  const abs = normalizeContainerPath(path);
  const i = abs.lastIndexOf('/');
  return i <= 0 ? '/' : abs.slice(0, i);
}

export function baseName(path: string): string {
  const abs = normalizeContainerPath(path);
  return abs.slice(abs.lastIndexOf('/') + 1);
}
