import { classifyError, daemonMessage, DockerLevelsError } from '../errors';
import { displayText } from '../untrusted/displayText';

/**
 * An absolute, normalized path inside a container: "/" joined, no "." or ".." segments
 * (".." stops at the root, as the kernel does), no trailing slash.
 */
export function normalizeContainerPath(path: string): string {
  if (path.includes('\0')) throw new DockerLevelsError('badInput', 'A container path cannot contain a NUL byte.');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') out.pop(); else out.push(part);
  }
  return `/${out.join('/')}`;
}

export function joinContainerPath(dir: string, name: string): string {
  if (!name || name === '.' || name === '..' || name.includes('/')) {
    throw new DockerLevelsError('badInput', `"${displayText(name)}" is not a file name.`);
  }
  return normalizeContainerPath(`${dir}/${name}`);
}

/** An archive call's failure, named after the path: a 404 here is the path, not the container. */
export function containerPathError(thrown: unknown, path: string, where: string): DockerLevelsError {
  // A bounded request's error comes classified already: the daemon's answer is its cause.
  const answer = thrown instanceof DockerLevelsError ? thrown.cause as { statusCode?: unknown } | undefined : undefined;
  const err = typeof answer?.statusCode === 'number' ? answer : thrown;
  const status = (err as { statusCode?: number })?.statusCode;
  const text = displayText(path);
  if (status === 404) {
    return new DockerLevelsError('notFound', `No such file or directory: ${text} (${where}).`, 'Check the path, or refresh: the container may be gone.', err);
  }
  if (status === 403 || /read-only file system|marked read-only/i.test(daemonMessage(err))) {
    return new DockerLevelsError('permission', `${text} cannot be written: ${daemonMessage(err)} (${where}).`,
      'The path is on a read-only file system or mount.', err);
  }
  if (status === 400) {
    return new DockerLevelsError('badInput', `${text}: ${daemonMessage(err)} (${where}).`, undefined, err);
  }
  return classifyError(err, where);
}
