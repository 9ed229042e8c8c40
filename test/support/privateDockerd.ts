// A dockerd of the tests' own: its own data-root, exec-root, pidfile and socket under one
// folder in /tmp, in a network namespace of its own (so its docker0, its subnets and its
// iptables rules cannot clash with the host daemon's or the bed's). Optionally started with
// capabilities dropped from its bounding set (setpriv), as some hosts' VMs have it.
// stop() removes its containers, stops it by its pid, unmounts what it left and deletes the folder.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sleep } from './waitFor';

export interface PrivateDockerd {
  dir: string;
  socket: string;
  url: string;
  /** The docker CLI against this daemon. */
  docker(args: string[], input?: Buffer): string;
  /** The daemon's log so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export interface PrivateDockerdOptions {
  /** Capabilities dropped from the daemon's bounding set, e.g. ['sys_resource']. */
  dropBounding?: string[];
  /** Folder name prefix under /tmp. */
  prefix: string;
}


export async function startPrivateDockerd(options: PrivateDockerdOptions): Promise<PrivateDockerd> {
  const dir = mkdtempSync(path.join(tmpdir(), `${options.prefix}-`));
  const socket = path.join(dir, 'docker.sock');
  const pidfile = path.join(dir, 'docker.pid');
  const logFile = path.join(dir, 'dockerd.log');
  const setpriv = options.dropBounding?.length
    ? ['setpriv', '--bounding-set', options.dropBounding.map((c) => `-${c}`).join(',')]
    : [];
  const argv = ['unshare', '--net', ...setpriv, 'dockerd',
    '--data-root', path.join(dir, 'root'), '--exec-root', path.join(dir, 'exec'), '--pidfile', pidfile,
    '--host', `unix://${socket}`, '--bip', '172.31.0.1/16', '--default-address-pool', 'base=10.131.0.0/16,size=24'];
  const out = openSync(logFile, 'a');
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  let exited = false;
  child.on('exit', () => { exited = true; });

  const docker = (args: string[], input?: Buffer): string =>
    execFileSync('docker', ['-H', `unix://${socket}`, ...args], { encoding: 'utf8', timeout: 180_000, input, maxBuffer: 64 << 20, stdio: ['pipe', 'pipe', 'pipe'] });
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '');
  const daemonPid = (): number | undefined => (existsSync(pidfile) ? Number(readFileSync(pidfile, 'utf8').trim()) || undefined : undefined);

  const stop = async (): Promise<void> => {
    try {
      const ids = docker(['ps', '-aq']).split('\n').filter(Boolean);
      if (ids.length) docker(['rm', '-fv', ...ids]);
    } catch { /* the daemon is not answering: stopping it below is all that is left */ }
    const pid = daemonPid() ?? child.pid;
    if (pid) {
      try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
      for (let i = 0; i < 120 && isAlive(pid); i++) await sleep(250);
      if (isAlive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    // What its containers and containerd mounted under the folder (overlays, netns, shm).
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
      .map((l) => l.split(' ')[4]).filter((m) => m && (m === dir || m.startsWith(`${dir}/`))).sort().reverse();
    for (const m of mounts) {
      try { execFileSync('umount', ['-l', m]); } catch { /* already gone */ }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  for (let i = 0; ; i++) {
    try {
      docker(['info', '--format', '{{.ServerVersion}}']);
      break;
    } catch (err) {
      if (exited || i > 240) {
        const text = log();
        await stop();
        throw new Error(`the private dockerd did not answer: ${(err as Error).message}\n${text}`);
      }
      await sleep(250);
    }
  }
  return { dir, socket, url: `unix://${socket}`, docker, log, stop };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers signal 0; its state in /proc says it has ended.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
