import { randomBytes } from 'node:crypto';
import { openExecSession } from '../actions/execSession';
import { daemonMessage, DockerLevelsError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';
import { MAX_LISTING_ENTRIES, MAX_LISTING_OUTPUT_BYTES, TOO_LARGE_HINT } from '../untrusted/limits';
import type { DirectoryEntry } from './archiveRead';
import { normalizeContainerPath } from './containerPath';
import type { PathKind } from './pathStat';

/** The container lacks the tool (or a shell, or is stopped): the caller may take another route. */
export class ToolMissingError extends DockerLevelsError {
  constructor(readonly tool: string, message: string, hint: string) {
    super('notFound', message, hint);
  }
}

interface ExecResult { exitCode: number; stdout: Buffer; stderr: string }

/** Runs argv in the container, output bounded; a missing program or a stopped container is a ToolMissingError. */
export async function execBounded(daemon: DaemonLevel, containerId: string, cmd: string[], signal?: AbortSignal,
  maxBytes = MAX_LISTING_OUTPUT_BYTES): Promise<ExecResult> {
  let session;
  try {
    session = await openExecSession(daemon, containerId, { cmd, signal });
  } catch (err) {
    const text = daemonMessage(err);
    if ((err as DockerLevelsError).kind === 'conflict' || /is not running|is paused/i.test(text)) {
      throw new ToolMissingError(cmd[0], `The container is not running, so ${cmd[0]} cannot run in it.`, 'Start the container first.');
    }
    if (/executable file not found|no such file or directory/i.test(text)) throw missing(cmd[0]);
    throw err;
  }
  try {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let tooMuch = false;
    session.stdout.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes > maxBytes) { tooMuch = true; session.dispose(); } else out.push(c);
    });
    session.stderr.on('data', (c: Buffer) => { if (err.length < 64) err.push(c); });
    session.stdin.end();
    const exitCode = await daemon.call(`Running ${cmd[0]}`, () => session.exitCode, signal, daemon.timeoutMs * 6);
    if (tooMuch) throw new DockerLevelsError('notADaemon', `${cmd[0]} in the container wrote more than ${maxBytes} bytes; stopped.`, TOO_LARGE_HINT);
    const stderr = Buffer.concat(err).toString('utf8');
    // 126/127: the shell's "cannot run" and "not found"; the runtime's own message (on either stream) says the same.
    const said = `${stderr}${Buffer.concat(out).subarray(0, 2000).toString('utf8')}`;
    if ((exitCode === 127 || exitCode === 126) && /not found|no such file|executable file/i.test(said)) throw missing(cmd[0]);
    return { exitCode, stdout: Buffer.concat(out), stderr };
  } finally {
    session.dispose();
  }
}

function missing(tool: string): ToolMissingError {
  return new ToolMissingError(tool, `The container has no ${tool} (or no shell to run it).`,
    'Docker\'s archive API reads, writes and creates directories without one; deleting and renaming need a command inside the container.');
}

function kindOfRawMode(hex: string): PathKind {
  const type = parseInt(hex, 16) & 0o170000;
  return type === 0o100000 ? 'file' : type === 0o040000 ? 'directory' : type === 0o120000 ? 'symlink' : 'other';
}

/**
 * One `sh -c` with find and stat (busybox and GNU alike). Each record ends with a random
 * line chosen per call, so a file name (which may hold newlines) cannot end a record early.
 */
const LIST_SCRIPT = `d="$1"; n="$2"
find "$d" -mindepth 1 -maxdepth 1 -exec stat -c "%f %s %Y %n
$n" {} + || exit $?
echo "$n-links"
find "$d" -mindepth 1 -maxdepth 1 -type l -exec stat -L -c "%f %n
$n" {} + 2>/dev/null
exit 0`;

export async function listViaExec(daemon: DaemonLevel, containerId: string, dir: string, signal?: AbortSignal): Promise<DirectoryEntry[]> {
  const abs = normalizeContainerPath(dir);
  const nonce = `dl-${randomBytes(16).toString('hex')}`;
  const r = await execBounded(daemon, containerId, ['sh', '-c', LIST_SCRIPT, 'sh', abs, nonce], signal);
  if (r.exitCode !== 0) throw commandFailed('find', abs, r);
  return parseExecListing(r.stdout.toString('utf8'), abs, nonce);
}

/** Parses LIST_SCRIPT's output (exported for the unit tests). */
export function parseExecListing(text: string, dir: string, nonce: string): DirectoryEntry[] {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  const [own, links = ''] = text.split(`${nonce}-links\n`);
  const records = (part: string) => part.split(`\n${nonce}\n`).filter((r) => r.length > 0);
  const targets = new Map<string, PathKind>();
  for (const rec of records(links)) {
    const m = /^([0-9a-f]+) ([\s\S]*)$/.exec(rec);
    if (m && m[2].startsWith(prefix)) targets.set(m[2].slice(prefix.length), kindOfRawMode(m[1]));
  }
  const entries: DirectoryEntry[] = [];
  for (const rec of records(own)) {
    const m = /^([0-9a-f]+) (\d+) (\d+) ([\s\S]*)$/.exec(rec);
    if (!m || !m[4].startsWith(prefix)) continue;
    const name = m[4].slice(prefix.length);
    if (!name || name.includes('/')) continue;
    if (entries.length >= MAX_LISTING_ENTRIES) {
      throw new DockerLevelsError('notADaemon', `${displayText(dir)} has more than ${MAX_LISTING_ENTRIES} entries; stopped listing.`, TOO_LARGE_HINT);
    }
    const kind = kindOfRawMode(m[1]);
    entries.push({
      name, kind, size: Number(m[2]), mtimeMs: Number(m[3]) * 1000, permissions: parseInt(m[1], 16) & 0o7777,
      ...(kind === 'symlink' ? { targetKind: targets.get(name) } : {}),
    });
  }
  return entries;
}

function commandFailed(tool: string, path: string, r: ExecResult): DockerLevelsError {
  const why = displayText(r.stderr.trim().split('\n').slice(0, 3).join(' '), 400);
  const kind = /permission denied|read-only/i.test(why) ? 'permission' : /no such file/i.test(why) ? 'notFound' : /exists|not empty/i.test(why) ? 'conflict' : 'unknown';
  return new DockerLevelsError(kind, `${tool} failed on ${displayText(path)} (exit ${r.exitCode}): ${why || 'no message'}.`);
}

/** rm (recursive or not) or rmdir, by argv: no shell quoting involved. */
export async function removeViaExec(daemon: DaemonLevel, containerId: string, path: string, isDirectory: boolean, recursive: boolean,
  signal?: AbortSignal): Promise<void> {
  const abs = normalizeContainerPath(path);
  if (abs === '/') throw new DockerLevelsError('badInput', 'Refusing to delete / of a container.');
  const cmd = isDirectory ? (recursive ? ['rm', '-rf', '--', abs] : ['rmdir', '--', abs]) : ['rm', '-f', '--', abs];
  const r = await execBounded(daemon, containerId, cmd, signal);
  if (r.exitCode !== 0) throw commandFailed(cmd[0], abs, r);
}

export async function renameViaExec(daemon: DaemonLevel, containerId: string, from: string, to: string, signal?: AbortSignal): Promise<void> {
  const a = normalizeContainerPath(from);
  const b = normalizeContainerPath(to);
  const r = await execBounded(daemon, containerId, ['mv', '-f', '--', a, b], signal);
  if (r.exitCode !== 0) throw commandFailed('mv', a, r);
}
