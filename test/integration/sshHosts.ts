/**
 * Two real sshd hosts on 127.0.0.1 for the ssh:// root tests (test/testbed/sshd.sh): a target
 * with the bed's host daemon behind it, and a jump host. The tests' own client key, config and
 * known_hosts live in a folder of their own; root's ~/.ssh is never read or written.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './testBed';

const SSHD_SCRIPT = path.join(REPO, 'test', 'testbed', 'sshd.sh');

export interface SshHost {
  dir: string;
  port: number;
  /** `[127.0.0.1]:PORT ssh-ed25519 …`, as known_hosts holds it. */
  knownHostsLine: string;
  /** Logins sshd has accepted so far (one per SSH connection). */
  logins(): number;
  /** Drops every connection to this host (kills sshd's per-connection processes). */
  dropConnections(): void;
}

export interface SshHosts {
  dir: string;
  target: SshHost;
  jump: SshHost;
  /** An ssh config with aliases `dl-alias` (HostName, User, Port) and `dl-jumped` (ProxyJump). */
  configFile: string;
  knownHostsFile: string;
  clientKey: string;
  /** A known_hosts file holding the wrong key for the target. */
  changedKnownHostsFile: string;
  emptyKnownHostsFile: string;
  stop(): void;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startHost(root: string, name: string, clientPub: string): Promise<SshHost> {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'authorized_keys'), clientPub);
  const port = await freePort();
  execFileSync('bash', [SSHD_SCRIPT, 'start', dir, String(port)], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  const [type, key] = fs.readFileSync(path.join(dir, 'hostkey.pub'), 'utf8').trim().split(/\s+/);
  const pid = Number(fs.readFileSync(path.join(dir, 'sshd.pid'), 'utf8').trim());
  return {
    dir, port, knownHostsLine: `[127.0.0.1]:${port} ${type} ${key}`,
    logins: () => (fs.readFileSync(path.join(dir, 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length,
    dropConnections: () => {
      const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      for (const child of children) {
        try { process.kill(child, 'SIGKILL'); } catch { /* already gone */ }
      }
    },
  };
}

export async function startSshHosts(): Promise<SshHosts> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-tr-sshd-'));
  const clientKey = path.join(dir, 'client');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
  const clientPub = fs.readFileSync(`${clientKey}.pub`, 'utf8');
  const started: SshHost[] = [];
  const stop = () => {
    for (const h of started) execFileSync('bash', [SSHD_SCRIPT, 'stop', h.dir], { stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    started.push(await startHost(dir, 'target', clientPub));
    started.push(await startHost(dir, 'jump', clientPub));
    const [target, jump] = started;
    const knownHostsFile = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHostsFile, `${target.knownHostsLine}\n${jump.knownHostsLine}\n`);
    const changedKnownHostsFile = path.join(dir, 'known_hosts.changed');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'otherkey')]);
    const otherKey = fs.readFileSync(path.join(dir, 'otherkey.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    fs.writeFileSync(changedKnownHostsFile, `[127.0.0.1]:${target.port} ${otherKey}\n`);
    const emptyKnownHostsFile = path.join(dir, 'known_hosts.empty');
    fs.writeFileSync(emptyKnownHostsFile, '');
    const configFile = path.join(dir, 'config');
    fs.writeFileSync(configFile, [
      'Host dl-alias',
      '  HostName 127.0.0.1',
      `  Port ${target.port}`,
      '  User root',
      'Host dl-jumped',
      '  HostName 127.0.0.1',
      `  Port ${target.port}`,
      '  User root',
      `  ProxyJump root@127.0.0.1:${jump.port}`,
      'Host *',
      `  IdentityFile ${clientKey}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHostsFile}`,
      '  StrictHostKeyChecking yes',
      '',
    ].join('\n'));
    return { dir, target, jump, configFile, knownHostsFile, clientKey, changedKnownHostsFile, emptyKnownHostsFile, stop };
  } catch (err) {
    stop();
    throw err;
  }
}
