/**
 * ssh:// and command roots against real hosts: Debian's sshd on 127.0.0.1 (sshHosts.ts) with
 * the bed's host daemon behind it, reached by the system ssh as the docker CLI reaches it, and
 * the bed's level 1 reached through `docker exec -i … docker system dial-stdio`.
 */
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  DaemonLevel, DockerLevelsError, endpointFromSetting, LevelForwarder, Levels, resolveContext, RootEndpoint, runInContainer,
  traceLineage,
} from '../../src/core';
import { SshHosts, startSshHosts } from './sshHosts';
import { bedChain, cli, psAt, theBed } from './testBed';

const run = promisify(execFile);

/** Opens the bed's levels below `root` down to `depth`, by container name. */
async function openBelow(levels: Levels, root: DaemonLevel, names: string[]): Promise<DaemonLevel> {
  let daemon = root;
  for (const name of names) {
    const c = (await daemon.listContainers()).find((x) => x.Names[0] === `/${name}`);
    if (!c) throw new Error(`${name} not found at depth ${daemon.depth}`);
    daemon = await levels.openLevel(daemon, c.Id);
  }
  return daemon;
}

/** Pids of the ssh control masters (`ssh … -M … -p PORT`) running on this machine for that port. */
function sshMasters(port: number): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return path.basename(argv[0]) === 'ssh' && argv.includes('-M') && argv.some((a, i) => a === '-p' && argv[i + 1] === String(port));
    } catch {
      return false; // gone meanwhile
    }
  }).map(Number);
}

async function namesAt(level: DaemonLevel): Promise<string[]> {
  return (await level.listContainers()).map((c) => c.Names[0].slice(1)).sort();
}

/** Roots made while `env` is set: the ssh transport reads its files when a root is made. */
function withEnv<T>(env: Record<string, string>, make: () => T): T {
  const saved = Object.keys(env).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, env);
  try {
    return make();
  } finally {
    for (const [k, v] of saved) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

function isRefusedKey(pattern: RegExp) {
  return (e: unknown) => e instanceof DockerLevelsError && e.kind === 'permission' && pattern.test(e.message) && /nothing was sent/.test(e.message);
}

describe('ssh:// roots through the system ssh (integration)', () => {
  let hosts: SshHosts;
  const opened: Levels[] = [];
  const newRoot = (url: string, env: Record<string, string> = {}): Levels => {
    const levels = withEnv({ DOCKER_LEVELS_SSH_CONFIG: hosts.configFile, ...env },
      () => new Levels([endpointFromSetting({ url })], { timeoutMs: 20_000 }));
    opened.push(levels);
    return levels;
  };

  before(async () => {
    hosts = await startSshHosts();
  });
  after(() => {
    for (const l of opened) l.dispose();
    hosts?.stop();
  });

  describe('the tree below an ssh root', () => {
    let levels: Levels;
    let l3: DaemonLevel;
    let loginsBefore: number;
    before(async () => {
      loginsBefore = hosts.target.logins();
      levels = newRoot(`ssh://root@127.0.0.1:${hosts.target.port}`);
      l3 = await openBelow(levels, levels.roots()[0], bedChain(3));
    });

    it('reaches depth 3 through tunnel hops, every stream on one SSH connection', async () => {
      const root = levels.roots()[0];
      assert.equal(root.transport.kind, 'ssh');
      assert.equal(root.transport.address, `ssh://root@127.0.0.1:${hosts.target.port}`);
      assert.equal(l3.transport.kind, 'tunnel');
      assert.equal(l3.parent?.transport.kind, 'tunnel');
      assert.deepEqual(await namesAt(l3), [...psAt(bedChain(3)).values()].sort());
      assert.deepEqual(await namesAt(root), [...psAt([]).values()].sort());
      assert.equal(hosts.target.logins() - loginsBefore, 1);
    });

    it('exec and lineage at depth 3', async () => {
      const r = await runInContainer(l3, theBed().web3.id, ['hostname']);
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout.trim(), theBed().web3.id.slice(0, 12));
      const lineage = await traceLineage(l3, theBed().web3.id);
      assert.deepEqual(lineage.levels.map((s) => s.containerId), [theBed().l1.id, theBed().l2.id, theBed().l3.id, theBed().web3.id]);
    });

    it('a forwarder to depth 3 and one to the ssh root itself serve the docker CLI', async () => {
      for (const [target, expected] of [[l3, psAt(bedChain(3))], [levels.roots()[0], psAt([])]] as const) {
        const forwarder = await LevelForwarder.start(target);
        try {
          const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: forwarder.dockerHost };
          delete env.DOCKER_CONTEXT;
          const { stdout } = await run('docker', ['ps', '-a', '--format', '{{.Names}}'], { env });
          assert.deepEqual(stdout.trim().split('\n').sort(), [...expected.values()].sort());
        } finally {
          await forwarder.stop();
        }
      }
    });

    it('reconnects after the SSH connection drops', async () => {
      const root = levels.roots()[0];
      const before = hosts.target.logins();
      assert.ok(sshMasters(hosts.target.port).length > 0, 'an ssh master serves the root');
      hosts.target.dropConnections();
      // The old master notices its TCP connection reset and exits: wait for that, not a while.
      const end = Date.now() + 20_000;
      while (sshMasters(hosts.target.port).length > 0) {
        if (Date.now() > end) throw new Error(`the ssh master is still running: ${sshMasters(hosts.target.port).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(await namesAt(root), [...psAt([]).values()].sort());
      assert.equal(hosts.target.logins() - before, 1);
    });
  });

  it('an 11th stream at once goes on a second SSH connection (sshd allows 10 sessions on one), and all 11 answer', async () => {
    // A root of its own, so that no stream but these 11 is on its connections.
    const root = newRoot(`ssh://root@127.0.0.1:${hosts.target.port}`).roots()[0];
    const before = hosts.target.logins();
    const streams = await Promise.all(Array.from({ length: 11 }, () => root.openRawStream()));
    try {
      const answers = await Promise.all(streams.map((s) => new Promise<string>((resolve, reject) => {
        let text = '';
        s.on('data', (c: Buffer) => { text += c.toString(); });
        s.once('end', () => resolve(text.slice(text.indexOf('\r\n\r\n') + 4)));
        s.once('error', reject);
        s.write('GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n');
      })));
      assert.deepEqual(answers, answers.map(() => 'OK'));
      assert.equal(hosts.target.logins() - before, 2, 'one connection for 10 sessions, a second for the 11th');
    } finally {
      for (const s of streams) s.destroy();
    }
  });

  it('an unknown host key is refused with how to trust it, and nothing is sent', async () => {
    const before = hosts.target.logins();
    const levels = newRoot(`ssh://root@127.0.0.1:${hosts.target.port}`, { DOCKER_LEVELS_SSH_KNOWN_HOSTS: hosts.emptyKnownHostsFile });
    await assert.rejects(levels.roots()[0].listContainers(), (e: unknown) => isRefusedKey(/is not known/)(e)
      && /ssh-keyscan -p \d+ 127\.0\.0\.1 >> ~\/\.ssh\/known_hosts/.test((e as DockerLevelsError).hint ?? ''));
    assert.equal(hosts.target.logins(), before);
  });

  it('a changed host key is refused, and nothing is sent', async () => {
    const before = hosts.target.logins();
    const levels = newRoot(`ssh://root@127.0.0.1:${hosts.target.port}`, { DOCKER_LEVELS_SSH_KNOWN_HOSTS: hosts.changedKnownHostsFile });
    await assert.rejects(levels.roots()[0].listContainers(), isRefusedKey(/has changed/));
    assert.equal(hosts.target.logins(), before);
  });

  it('ProxyJump through a second sshd, from the ssh config', async () => {
    const [target, jump] = [hosts.target.logins(), hosts.jump.logins()];
    const levels = newRoot('ssh://dl-jumped');
    const l1 = await openBelow(levels, levels.roots()[0], bedChain(1));
    assert.deepEqual(await namesAt(l1), [...psAt(bedChain(1)).values()].sort());
    assert.equal(hosts.jump.logins() - jump, 1);
    assert.equal(hosts.target.logins() - target, 1);
  });

  it('the CLI with a config Host alias (HostName, User, Port): the tree to depth 3, no warning', () => {
    const r = withEnv({ DOCKER_LEVELS_SSH_CONFIG: hosts.configFile }, () => cli(['tree', '--host', 'ssh://dl-alias', '--timeout', '20000']));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ssh:\/\/dl-alias/);
    for (const name of bedChain(3)) assert.match(r.stdout, new RegExp(`${name} .*⇒ level`));
    assert.match(r.stdout, new RegExp(theBed().web3.name));
    assert.doesNotMatch(r.stderr, /warn|deprecat/i);
  });

  it('a docker context made with --docker host=ssh://… works the same way', async () => {
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-tr-ctx-'));
    try {
      execFileSync('docker', ['context', 'create', 'dl-tr-ssh', '--docker', 'host=ssh://dl-alias'], { env: { ...process.env, DOCKER_CONFIG: config }, stdio: 'ignore' });
      const endpoint: RootEndpoint = resolveContext('dl-tr-ssh', { env: { DOCKER_CONFIG: config }, homeDir: os.homedir(), platform: process.platform });
      assert.equal(endpoint.connection.kind, 'ssh');
      const levels = withEnv({ DOCKER_LEVELS_SSH_CONFIG: hosts.configFile }, () => new Levels([endpoint], { timeoutMs: 20_000 }));
      opened.push(levels);
      const l2 = await openBelow(levels, levels.roots()[0], bedChain(2));
      assert.deepEqual(await namesAt(l2), [...psAt(bedChain(2)).values()].sort());
    } finally {
      fs.rmSync(config, { recursive: true, force: true });
    }
  });

  describe('a command as a root', () => {
    it('docker exec -i dl-bed-l1 docker system dial-stdio, with tunnel hops below it', async () => {
      const levels = new Levels([endpointFromSetting({ name: 'l1-by-exec', command: ['docker', 'exec', '-i', theBed().l1.name, 'docker', 'system', 'dial-stdio'] })], { timeoutMs: 20_000 });
      opened.push(levels);
      const root = levels.roots()[0];
      assert.equal(root.transport.kind, 'command');
      assert.equal((await root.info()).Name, theBed().l1.id.slice(0, 12));
      const l3 = await openBelow(levels, root, bedChain(3).slice(1));
      assert.equal(l3.transport.kind, 'tunnel');
      assert.deepEqual(await namesAt(l3), [...psAt(bedChain(3)).values()].sort());
    });

    it('ssh HOST docker system dial-stdio', async () => {
      const levels = new Levels([endpointFromSetting({
        command: ['ssh', '-F', hosts.configFile, '-o', 'BatchMode=yes', 'dl-alias', 'docker', 'system', 'dial-stdio'],
      })], { timeoutMs: 20_000 });
      opened.push(levels);
      assert.deepEqual(await namesAt(levels.roots()[0]), [...psAt([]).values()].sort());
    });

    it('the CLI --host-command, split into words with no shell', () => {
      const r = cli(['tree', '--host-command', `docker exec -i '${theBed().l1.name}' docker system dial-stdio`, '--timeout', '20000']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^docker exec -i dl-bed-l1 docker system dial-stdio .*\[command: docker exec/);
      assert.match(r.stdout, new RegExp(`${theBed().l3.name} .*⇒ level`));
      // No shell: a `;` is a word given to docker, never a second command.
      const bad = cli(['tree', '--host-command', 'docker exec -i no-such-dl-container docker system dial-stdio; touch /tmp/dl-tr-shell', '--timeout', '10000']);
      assert.equal(bad.code, 1);
      assert.equal(fs.existsSync('/tmp/dl-tr-shell'), false);
    });
  });
});
