// Child processes as the forwarder tests drive them (the docker CLI run asynchronously, so the
// forwarder in the same process keeps serving), and what this process still holds open.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface Result { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** A clean environment for the docker CLI: only DOCKER_HOST decides where it goes. */
export function dockerEnv(host: string | undefined, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) delete env[k];
  if (host) env.DOCKER_HOST = host;
  return env;
}

/**
 * Runs a command to its end. `holdStdin` keeps its stdin open until it exits: `script` turns
 * the end of its input into an end-of-file character on the pseudo-terminal, which the
 * terminal echoes ("^@") when it lands before the docker CLI switches echo off.
 */
export function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; holdStdin?: boolean } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, signal, stdout, stderr });
    });
    if (options.holdStdin) child.stdin.write(options.input ?? ''); else child.stdin.end(options.input);
  });
}

/** Resolves with the first stdout line matching `pattern` of a running child. */
export function firstLine(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(() => finish(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    const onData = (c: Buffer) => {
      buffered += c.toString();
      const line = buffered.split('\n').slice(0, -1).find((l) => pattern.test(l));
      if (line !== undefined) finish(undefined, line);
    };
    const onErr = (c: Buffer) => { stderr += c.toString(); };
    const onExit = (code: number | null) => finish(new Error(`exited (${code}) before a line matching ${pattern}; stderr: ${stderr}`));
    const finish = (err?: Error, line?: string) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onErr);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(line!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onErr);
    child.once('exit', onExit);
  });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Active handles of this process (sockets, pipes, timers, child processes), by type. File
 * system requests in flight (the test runner loading files) come and go, and are left out.
 */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo().filter((t) => !t.startsWith('FSReq'))) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

export function sameResources(a: Map<string, number>, b: Map<string, number>): boolean {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].every((k) => (a.get(k) ?? 0) === (b.get(k) ?? 0));
}

/**
 * Live (non-zombie) child processes of this process, except tsx's long-lived esbuild service,
 * which compiles test files on demand and is no business of the forwarder.
 */
export function liveChildren(): number[] {
  const pids: number[] = [];
  for (const task of fs.readdirSync(`/proc/${process.pid}/task`)) {
    const text = fs.readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim();
    if (text) pids.push(...text.split(/\s+/).map(Number));
  }
  return pids.filter((pid) => !processGone(pid) && !/esbuild/.test(cmdline(pid)));
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

export function describeChildren(): string {
  return liveChildren().map((pid) => `${pid}: ${cmdline(pid)}`).join('; ') || 'none';
}

export function processGone(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}
