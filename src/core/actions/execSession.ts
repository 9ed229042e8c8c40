import type Docker from 'dockerode';
import { PassThrough, Readable, Writable } from 'node:stream';
import { DockerLevelsError } from '../errors';
import type { Disposable } from '../disposable';
import type { DaemonLevel } from '../levels/daemonLevel';
import { checkExecInspect, checkExitCode } from '../untrusted/engineShapes';
import { createExec, resizeExec } from './engineCalls';
import { demuxFrames } from '../transport/frameDemux';

export interface ExecOptions {
  cmd: string[];
  tty?: boolean;
  /** Keep stdin open (interactive sessions and piped input). */
  stdin?: boolean;
  env?: string[];
  workingDir?: string;
  user?: string;
  cols?: number;
  rows?: number;
  signal?: AbortSignal;
}

/**
 * One exec in a container at any depth: output streams, input, resize, exit code.
 * The owner disposes it; disposing closes the hijacked stream.
 */
export interface ExecSession extends Disposable {
  readonly stdout: Readable;
  /** With a TTY, everything arrives on stdout and this stays empty. */
  readonly stderr: Readable;
  readonly stdin: Writable;
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves with the exit code once the process ends. */
  readonly exitCode: Promise<number>;
}

async function checkRunning(daemon: DaemonLevel, containerId: string, signal?: AbortSignal): Promise<void> {
  const state = await daemon.inspectContainer(containerId, signal);
  if (!state.State.Running) {
    const name = state.Name.replace(/^\//, '');
    throw new DockerLevelsError('conflict', `Container ${name} is ${state.State.Status}, so nothing can run in it.`, 'Start it first.');
  }
}

export async function openExecSession(daemon: DaemonLevel, containerId: string, options: ExecOptions): Promise<ExecSession> {
  await checkRunning(daemon, containerId, options.signal);
  const tty = options.tty ?? false;
  const { exec, socket } = await daemon.call('Starting exec', async (s) => {
    const execId = await createExec(daemon, containerId, {
      Cmd: options.cmd, Tty: tty, AttachStdin: true, AttachStdout: true, AttachStderr: true,
      Env: options.env, WorkingDir: options.workingDir, User: options.user,
    }, { signal: s });
    const exec = daemon.docker.getExec(execId);
    const socket = (await exec.start({ hijack: true, stdin: true, Tty: tty } as Docker.ExecStartOptions)) as unknown as NodeJS.ReadWriteStream & { destroy(): void };
    return { exec, socket };
  }, options.signal);

  const stdout = new PassThrough();
  const stderr = new PassThrough();
  if (tty) socket.pipe(stdout); else demuxFrames(socket, stdout, stderr);

  const ended = new Promise<void>((resolve) => {
    let done = false;
    const finish = () => { if (!done) { done = true; resolve(); } };
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
  });
  const exitCode = ended.then(async () => {
    stdout.end();
    stderr.end();
    // The exit code is set a moment after the stream closes.
    for (let i = 0; i < 20; i++) {
      const info = checkExecInspect<Docker.ExecInspectInfo>(await daemon.getJson('Reading exit code', `/exec/${encodeURIComponent(exec.id)}/json`), daemon.what);
      if (!info.Running && info.ExitCode !== null) return checkExitCode(info.ExitCode, daemon.what);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new DockerLevelsError('timeout', 'The process ended but its exit code never appeared.');
  });
  exitCode.catch(() => undefined);

  const stdin = new Writable({
    write(chunk, _enc, cb) {
      // Keys typed while the process is ending (or a terminal's own replies) have no reader left.
      const writable = socket as unknown as { writableEnded?: boolean; destroyed?: boolean };
      if (writable.writableEnded || writable.destroyed) { cb(); return; }
      socket.write(chunk, cb as () => void);
    },
    final(cb) { (socket as unknown as { end(): void }).end(); cb(); },
  });
  if (options.cols && options.rows) {
    // A failed first resize only leaves the default size; it must not hang or fail the session.
    await resizeExec(daemon, exec.id, options.cols, options.rows, { signal: options.signal }).catch(() => undefined);
  }
  return {
    stdout, stderr, stdin, exitCode,
    resize: async (cols, rows) => {
      if (!tty) return;
      await resizeExec(daemon, exec.id, cols, rows);
    },
    dispose: () => {
      socket.destroy();
      stdout.destroy();
      stderr.destroy();
    },
  };
}

/** Runs a command to completion and collects its output (no TTY). */
export async function runInContainer(daemon: DaemonLevel, containerId: string, cmd: string[], signal?: AbortSignal,
  input?: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const session = await openExecSession(daemon, containerId, { cmd, stdin: input !== undefined, signal });
  try {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    session.stdout.on('data', (c: Buffer) => out.push(c));
    session.stderr.on('data', (c: Buffer) => err.push(c));
    if (input !== undefined) session.stdin.end(input); else session.stdin.end();
    const exitCode = await daemon.call(`Running ${cmd[0]}`, () => session.exitCode, signal, daemon.timeoutMs * 3);
    return { exitCode, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
  } finally {
    session.dispose();
  }
}
