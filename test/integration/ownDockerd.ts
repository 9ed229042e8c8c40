// A second dockerd of our own (in its own network namespace), for the fault and safe-default
// tests: never the shared one.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { dockerIn } from '../support/dockerWitness';
import { waitFor } from '../support/waitFor';

let ownCount = 0;

/**
 * A dockerd of our own, for faults that would hurt everyone on the shared one (a restart) and
 * for daemon configurations the shared one does not have. It runs in a network namespace of
 * its own (`unshare --net`): dockerd 20.10 deletes the host's docker0 when started with
 * `--bridge none`, and anything it does to bridges and iptables stays in its namespace.
 * Reached through its unix socket; its containers only through the exec tunnel.
 */
export class OwnDockerd {
  readonly dir: string;
  readonly socket: string;
  private pid: number | undefined;

  private constructor(readonly tag: string, private readonly args: string[], private readonly wrapper: string[]) {
    ownCount++;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `dl-fault-dockerd-${tag}-`));
    this.socket = path.join(this.dir, 'docker.sock');
  }

  /** `wrapper` runs before dockerd, e.g. ['setpriv', '--bounding-set', '-sys_time']. */
  static async start(tag: string, options: { args?: string[]; wrapper?: string[] } = {}): Promise<OwnDockerd> {
    const d = new OwnDockerd(tag, options.args ?? [], options.wrapper ?? []);
    try {
      await d.start();
    } catch (err) {
      await d.destroy();
      throw err;
    }
    return d;
  }

  get url(): string {
    return `unix://${this.socket}`;
  }

  get running(): boolean {
    return this.pid !== undefined && fs.existsSync(`/proc/${this.pid}`);
  }

  async start(): Promise<void> {
    const bip = `10.213.${(process.pid + ownCount) % 250}.1/24`;
    const dockerd = [
      ...this.wrapper, 'dockerd', '--data-root', path.join(this.dir, 'data'), '--exec-root', path.join(this.dir, 'exec'),
      '--pidfile', path.join(this.dir, 'docker.pid'), '--host', this.url, '--bip', bip,
      '--iptables=false', '--ip-masq=false', '--shutdown-timeout', '2', ...this.args,
    ];
    const log = fs.openSync(path.join(this.dir, 'dockerd.log'), 'a');
    try {
      // `unshare --net` execs in place (no fork), so the child's pid is dockerd's.
      const child = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...dockerd], {
        detached: true, stdio: ['ignore', log, log],
      });
      child.unref();
      this.pid = child.pid;
    } finally {
      fs.closeSync(log);
    }
    await waitFor(() => this.ping(), 60_000, `our dockerd (${this.tag}) to answer; see ${path.join(this.dir, 'dockerd.log')}`, 250);
  }

  private ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = http.get({ socketPath: this.socket, path: '/_ping', agent: false, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => { req.destroy(); resolve(false); });
    });
  }

  /** SIGTERM, then waits for dockerd to exit. */
  async stop(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    await waitFor(() => !fs.existsSync(`/proc/${pid}`) || /^Z/m.test(procState(pid)), 30_000, 'our dockerd to exit').catch(() => {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    });
    this.pid = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Removes every container, stops dockerd, ends what it left (by pid, matched on our dir), unmounts and deletes the dir. */
  async destroy(): Promise<void> {
    if (this.running) {
      try {
        const ids = dockerIn([], ['ps', '-aq'], { host: this.url }).split('\n').filter(Boolean);
        if (ids.length) dockerIn([], ['rm', '-fv', ...ids], { host: this.url });
      } catch { /* stopping it below */ }
    }
    await this.stop();
    for (const pid of processesMentioning(this.dir)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    await waitFor(() => processesMentioning(this.dir).length === 0, 10_000, 'its processes to end').catch(() => undefined);
    for (const mount of mountsUnder(this.dir).reverse()) spawnSync('umount', ['-l', mount]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function procState(pid: number): string {
  try {
    return /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

/** Pids whose command line mentions `text`; ours only, since `text` is our own temp dir. */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch { /* exited */ }
  }
  return pids;
}

function mountsUnder(dir: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m && (m === dir || m.startsWith(`${dir}/`)));
}

/** A root endpoint record for our own dockerd. */
export function ownRoot(d: OwnDockerd, label = `own-${d.tag}`): { id: string; label: string; url: string; source: 'settings'; connection: { kind: 'unix'; socketPath: string } } {
  return { id: `settings-${label}`, label, url: d.url, source: 'settings', connection: { kind: 'unix', socketPath: d.socket } };
}
