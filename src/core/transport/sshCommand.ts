import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { withDeadline } from '../abort';
import { DockerLevelsError } from '../errors';
import type { Logger } from '../log';
import { displayText } from '../untrusted/displayText';
import { MAX_TUNNEL_STDERR_CHARS } from '../untrusted/limits';
import type { StdioCommand, StdioCommandSource } from './commandStream';

/** An ssh:// root as written; everything else (keys, aliases, jumps) comes from OpenSSH's own config. */
export interface SshTarget {
  host: string;
  port?: number;
  username?: string;
}

/**
 * Files OpenSSH reads instead of ~/.ssh/config and ~/.ssh/known_hosts. OpenSSH finds ~/.ssh
 * through the passwd entry, not $HOME, so tests (and users with a config elsewhere) name them.
 */
export function sshFilesFromEnv(env: NodeJS.ProcessEnv = process.env): { configFile?: string; knownHostsFile?: string } {
  return { configFile: env.DOCKER_LEVELS_SSH_CONFIG || undefined, knownHostsFile: env.DOCKER_LEVELS_SSH_KNOWN_HOSTS || undefined };
}

/**
 * Sessions one SSH connection carries at once: sshd's default MaxSessions. A stream beyond it
 * goes on a second connection rather than being refused by the server.
 */
const SESSIONS_PER_CONNECTION = 10;

interface Master {
  control: string;
  /** Streams running on it, or about to. */
  active: number;
  starts: number;
  starting?: Promise<void>;
}

/**
 * Streams to the daemon behind an ssh:// root, the way the docker CLI makes them (`ssh HOST --
 * docker system dial-stdio`), all over one SSH connection: an OpenSSH control master in a
 * private folder, each stream a session on it (`ssh -S`), so a stream costs a channel, not a
 * handshake. The master is started again when it is gone (a drop, or ControlPersist expiry).
 */
export class SshCommandSource implements StdioCommandSource {
  readonly label: string;
  private readonly files: { configFile?: string; knownHostsFile?: string };
  private dir: string | undefined;
  private readonly masters: Master[] = [];
  private disposed = false;

  constructor(private readonly target: SshTarget, private readonly timeoutMs: number, private readonly log: Logger,
    env: NodeJS.ProcessEnv = process.env) {
    this.files = sshFilesFromEnv(env);
    this.label = `ssh://${target.username ? `${target.username}@` : ''}${target.host}${target.port ? `:${target.port}` : ''}`;
  }

  /** Options every ssh run shares. BatchMode: never a prompt, so an unknown host key fails. */
  private options(): string[] {
    const { configFile, knownHostsFile } = this.files;
    const a: string[] = [];
    if (configFile) a.push('-F', configFile);
    if (knownHostsFile) a.push('-o', `UserKnownHostsFile=${knownHostsFile}`);
    a.push('-o', 'BatchMode=yes');
    if (this.target.port) a.push('-p', String(this.target.port));
    if (this.target.username) a.push('-l', this.target.username);
    return a;
  }

  /** A master with a free session, or a new one beside the full ones (sshd's MaxSessions). */
  private masterWithRoom(): Master {
    const free = this.masters.find((m) => m.active < SESSIONS_PER_CONNECTION);
    if (free) return free;
    // mkdtemp makes it 0700: no other user can reach a master through its socket.
    this.dir ??= mkdtempSync(path.join(os.tmpdir(), 'dl-ssh-'));
    const master: Master = { control: path.join(this.dir, `c${this.masters.length}`), active: 0, starts: 0 };
    this.masters.push(master);
    return master;
  }

  async command(signal?: AbortSignal): Promise<StdioCommand> {
    if (this.disposed) throw new DockerLevelsError('unreachable', `${this.label} is closed.`);
    const master = this.masterWithRoom();
    master.active++;
    let released = false;
    const release = () => {
      if (!released) master.active--;
      released = true;
    };
    try {
      await this.ensureMaster(master, signal);
    } catch (err) {
      release();
      throw err;
    }
    return {
      // `--` before the host: nothing written as a host is ever read as an option.
      argv: ['ssh', ...this.options(), '-S', master.control, '-o', 'ControlMaster=no', '-T', '--', this.target.host,
        'docker', 'system', 'dial-stdio'],
      explain: (stderr) => this.explain(stderr),
      release,
    };
  }

  private async ensureMaster(master: Master, signal?: AbortSignal): Promise<void> {
    // A master killed outright leaves its socket behind, and ssh given a dead socket quietly
    // makes a connection of its own: so ask the socket itself (a local connect, no process).
    if (!master.starting && await socketAnswers(master.control)) return;
    master.starting ??= this.startMaster(master).finally(() => { master.starting = undefined; });
    const starting = master.starting;
    await withDeadline(this.timeoutMs + 1000, `Connecting to ${this.label}`, signal, () => starting);
  }

  /** `ssh -M -N -f`: it returns once the master is authenticated and listening, or fails with the reason. */
  private startMaster(master: Master): Promise<void> {
    const control = master.control;
    master.starts++;
    rmSync(control, { force: true });
    const args = [...this.options(), '-M', '-N', '-f', '-S', control, '-o', 'ControlPersist=60',
      '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3',
      '-o', `ConnectTimeout=${Math.max(1, Math.ceil(this.timeoutMs / 1000))}`, '--', this.target.host];
    this.log.debug(`${this.label}: starting the ssh master`);
    return new Promise<void>((resolve, reject) => {
      const master = spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true });
      let stderr = '';
      master.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < MAX_TUNNEL_STDERR_CHARS) stderr = (stderr + chunk.toString()).slice(0, MAX_TUNNEL_STDERR_CHARS);
      });
      const timer = setTimeout(() => master.kill(), this.timeoutMs);
      master.on('error', (err) => {
        clearTimeout(timer);
        reject(new DockerLevelsError('unreachable', `Cannot run ssh for ${this.label}: ${err.message}.`,
          'Install the OpenSSH client (the docker CLI uses it for ssh:// too).', err));
      });
      master.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) {
          resolve();
          return;
        }
        // It has exited: its stderr closes now, with the whole reason in it.
        const fail = () => reject(this.explain(stderr.trim()) ?? new DockerLevelsError('unreachable',
          `ssh to ${this.label} failed${code === null ? ' (no answer in time)' : ''}${stderr.trim() ? `: ${displayText(stderr.trim())}` : ''}.`));
        if (master.stderr.readableEnded) fail(); else master.stderr.once('close', fail);
      });
    });
  }

  private explain(stderr: string): DockerLevelsError | undefined {
    const host = this.target.host;
    const portFlag = this.target.port ? `-p ${this.target.port} ` : '';
    if (/REMOTE HOST IDENTIFICATION HAS CHANGED|host key for .* has changed/i.test(stderr)) {
      return new DockerLevelsError('permission',
        `The host key of ${this.label} has changed since it was trusted: refused, nothing was sent to it.`,
        `If the host was really reinstalled, check its new fingerprint, then remove the old key with \`ssh-keygen -R ${displayText(host)}\` and trust the new one.`);
    }
    if (/host key is known for|Host key verification failed/i.test(stderr)) {
      return new DockerLevelsError('permission',
        `The host key of ${this.label} is not known (it is not in known_hosts): refused, nothing was sent to it.`,
        `Check its fingerprint, then trust it with \`ssh-keyscan ${portFlag}${displayText(host)} >> ~/.ssh/known_hosts\`, or connect once by hand: \`ssh ${portFlag}${this.target.username ? `${displayText(this.target.username)}@` : ''}${displayText(host)}\`.`);
    }
    if (/Permission denied/i.test(stderr)) {
      return new DockerLevelsError('permission', `${this.label} refused the login: ${displayText(lastLine(stderr))}.`,
        'Load the key into ssh-agent (ssh-add), or set IdentityFile for this host in ~/.ssh/config.');
    }
    if (/Connection refused|Could not resolve|No route to host|timed out|Connection closed/i.test(stderr)) {
      return new DockerLevelsError('unreachable', `Cannot reach ${this.label}: ${displayText(lastLine(stderr))}.`,
        'Check the host, port and ~/.ssh/config entry (HostName, Port, ProxyJump).');
    }
    return undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.dir) return;
    // Synchronous, so the masters are gone even when the process exits right after.
    for (const m of this.masters) {
      if (!existsSync(m.control)) continue;
      spawnSync('ssh', [...this.options(), '-S', m.control, '-O', 'exit', '--', this.target.host], { stdio: 'ignore', timeout: 5000 });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Whether a master listens on `control` (a stale socket refuses). */
function socketAnswers(control: string): Promise<boolean> {
  if (!existsSync(control)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = net.connect(control);
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  });
}

function lastLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? text;
}
