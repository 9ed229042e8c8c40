import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerLevelsError } from '../errors';

/** A listening socket only its owner can use, and how to remove it again. */
export interface PrivateSocket {
  /** Filesystem path of the unix socket, or the name of the Windows named pipe. */
  path: string;
  /** The value for DOCKER_HOST: unix:///… or npipe:////./pipe/…. */
  dockerHost: string;
  /** Removes the socket file and the private directory it was made in. Idempotent. */
  remove(): void;
}

/** Linux allows 108 bytes for a unix socket path, macOS 104, both counting the NUL. */
const MAX_SOCKET_PATH = process.platform === 'darwin' ? 103 : 107;
const SOCKET_NAME = 'docker.sock';

/**
 * Makes `server` listen where only this user can connect, never on a network address:
 * - by default a unix socket `docker.sock` (mode 0600) in a fresh directory (mode 0700) under
 *   the temp dir; on Windows a named pipe with a random name;
 * - at `requested`: the socket is bound in a private staging directory next to it, set to 0600
 *   and only then renamed into place, so it is never reachable with looser permissions, even
 *   in a shared directory. An existing live socket there is refused, a stale one replaced.
 */
export async function listenOnPrivateSocket(server: net.Server, requested?: string): Promise<PrivateSocket> {
  if (process.platform === 'win32') return listenOnNamedPipe(server, requested);
  return requested ? listenAt(server, path.resolve(requested)) : listenInFreshDir(server);
}

async function listenInFreshDir(server: net.Server): Promise<PrivateSocket> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-levels-'));
  const socketPath = path.join(dir, SOCKET_NAME);
  try {
    fs.chmodSync(dir, 0o700);
    checkLength(socketPath);
    await listen(server, socketPath);
    fs.chmodSync(socketPath, 0o600);
  } catch (err) {
    removeQuietly(socketPath, dir);
    throw err;
  }
  return { path: socketPath, dockerHost: `unix://${socketPath}`, remove: once(() => removeQuietly(socketPath, dir)) };
}

async function listenAt(server: net.Server, target: string): Promise<PrivateSocket> {
  checkLength(target);
  const parent = path.dirname(target);
  if (!fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) {
    throw new DockerLevelsError('badInput', `The directory ${parent} for the socket does not exist.`);
  }
  await clearStaleSocket(target);
  const staging = fs.mkdtempSync(path.join(parent, '.docker-levels-'));
  const staged = path.join(staging, 's');
  let ino: number;
  try {
    checkLength(staged);
    await listen(server, staged);
    fs.chmodSync(staged, 0o600);
    fs.renameSync(staged, target);
    ino = fs.statSync(target).ino;
  } catch (err) {
    removeQuietly(staged, staging);
    throw err;
  } finally {
    removeQuietly(undefined, staging);
  }
  return {
    path: target,
    dockerHost: `unix://${target}`,
    // Someone may have put another file there since; remove only our own socket.
    remove: once(() => {
      if (fs.statSync(target, { throwIfNoEntry: false })?.ino === ino) removeQuietly(target, undefined);
    }),
  };
}

async function listenOnNamedPipe(server: net.Server, requested?: string): Promise<PrivateSocket> {
  const name = requested ?? `\\\\.\\pipe\\docker-levels-${randomBytes(8).toString('hex')}`;
  if (!/^\\\\[.?]\\pipe\\/.test(name)) throw new DockerLevelsError('badInput', `"${name}" is not a named pipe (\\\\.\\pipe\\NAME).`);
  // A named pipe created by a process is only open to the same user by default.
  await listen(server, name);
  return { path: name, dockerHost: `npipe://${name.replace(/\\/g, '/')}`, remove: () => undefined };
}

/** An existing socket that nobody answers on is a leftover; anything else is in the way. */
async function clearStaleSocket(target: string): Promise<void> {
  const st = fs.lstatSync(target, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isSocket()) {
    throw new DockerLevelsError('conflict', `${target} exists and is not a socket.`, 'Choose another path with --socket.');
  }
  if (await answers(target)) {
    throw new DockerLevelsError('conflict', `Something already listens on ${target}.`, 'Stop it, or choose another path with --socket.');
  }
  fs.unlinkSync(target);
}

/** True when a unix socket accepts connections. */
export function answers(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ path: socketPath });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function listen(server: net.Server, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(where, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function checkLength(socketPath: string): void {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new DockerLevelsError('badInput', `The socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes, which unix sockets do not allow.`,
      'Choose a shorter path (or a shorter TMPDIR).');
  }
}

function removeQuietly(file: string | undefined, dir: string | undefined): void {
  if (file) fs.rmSync(file, { force: true });
  if (dir) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // Not empty or already gone: leave it rather than remove what is not ours.
    }
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
