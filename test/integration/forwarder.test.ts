/**
 * The forwarder against the real bed, driven by the real docker CLI: level 3 (reached by an
 * exec tunnel through level 2) becomes a local unix socket that `docker` uses like any daemon.
 * The forwarder runs in this process, so every docker call here is asynchronous: a spawnSync
 * would block the very event loop that serves it.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DaemonLevel, ForwarderRegistry, LevelForwarder, Levels } from '../../src/core';
import { bedChain, dockerAt, newLevels, openBedLevel, psAt, REPO, theBed } from './testBed';
import { LEAF_IMAGE } from '../support/dockerWitness';
import { activeResources, describeChildren, dockerEnv, exited, firstLine, liveChildren, processGone, run, sameResources } from '../support/processes';
import { waitFor } from '../support/waitFor';

const LEAF = LEAF_IMAGE;
const RUN_ID = randomBytes(3).toString('hex');
const LEVEL3_PATH = () => bedChain(3).join('/');

describe('level forwarder with the real docker CLI at depth 3 (integration)', () => {
  let baseline: Map<string, number>;
  let levels: Levels;
  let level3: DaemonLevel;
  let forwarder: LevelForwarder;
  let env: NodeJS.ProcessEnv;
  const containers: string[] = [];
  const images: string[] = [];
  const hostImages: string[] = [];
  let tmp: string;

  const docker = (args: string[], options: { input?: string; extraEnv?: NodeJS.ProcessEnv } = {}) =>
    run('docker', args, { env: { ...env, ...options.extraEnv }, input: options.input });

  async function dockerOk(args: string[], options: { input?: string; extraEnv?: NodeJS.ProcessEnv } = {}): Promise<string> {
    const r = await docker(args, options);
    assert.equal(r.code, 0, `docker ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  before(async () => {
    // After one turn, so that mocha's own timer for the running hook or test is in both counts.
    await new Promise((resolve) => setImmediate(resolve));
    baseline = activeResources();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-fwd-test-'));
    levels = newLevels();
    level3 = await openBedLevel(levels, 3);
    forwarder = await LevelForwarder.start(level3);
    env = dockerEnv(forwarder.dockerHost);
  });

  after(async () => {
    // Leave level 3 as the bed made it, whatever failed above.
    const useForwarder = forwarder?.state === 'serving';
    for (const c of containers) {
      if (useForwarder) await docker(['rm', '-f', c]);
      else try { dockerAt(bedChain(3), ['rm', '-f', c]); } catch { /* already gone */ }
    }
    for (const i of images) {
      if (useForwarder) await docker(['rmi', '-f', i]);
      else try { dockerAt(bedChain(3), ['rmi', '-f', i]); } catch { /* already gone */ }
    }
    for (const i of hostImages) await run('docker', ['rmi', '-f', i], { env: dockerEnv(undefined) });
    await forwarder?.stop();
    levels?.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('ps and info: the CLI sees level 3 and nothing else', async () => {
    // Other suites may add containers at level 3 meanwhile; the bed's own ones are fixed.
    const bedOnly = (names: Iterable<string>) => [...names].filter((n) => n.startsWith('dl-bed-')).sort();
    const names = (await dockerOk(['ps', '-a', '--format', '{{.Names}}'])).trim().split('\n');
    assert.deepEqual(bedOnly(names), [theBed().web3.name, theBed().web3Renamed.name].sort());
    assert.deepEqual(bedOnly(names), bedOnly(psAt(bedChain(3)).values()));
    // A nested daemon is named after its container's short ID one level up.
    assert.equal((await dockerOk(['info', '--format', '{{.Name}}'])).trim(), theBed().l3.id.slice(0, 12));
  });

  it('the socket is 0600 in a 0700 directory of its own', () => {
    const st = fs.statSync(forwarder.socketPath);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(forwarder.socketPath)).mode & 0o777, 0o700);
    assert.deepEqual(fs.readdirSync(path.dirname(forwarder.socketPath)), ['docker.sock']);
  });

  it('run --rm, with and without stdin (the end of input reaches the container)', async () => {
    assert.equal(await dockerOk(['run', '--rm', LEAF, 'echo', 'hello from level 3']), 'hello from level 3\n');
    const piped = await dockerOk(['run', '--rm', '-i', LEAF, 'sh', '-c', 'cat; echo "[eof]"'], { input: 'line one\nline two\n' });
    assert.equal(piped, 'line one\nline two\n[eof]\n');
  });

  it('exec -it and run -it under a pseudo-terminal, with their exit codes', async () => {
    const exec = await run('script', ['-qec', `docker exec -it ${theBed().web3.name} sh -c 'tty; exit 3'`, '/dev/null'], { env, holdStdin: true });
    assert.equal(exec.code, 3, exec.stdout + exec.stderr);
    assert.match(exec.stdout, /^\/dev\/pts\/\d+\r?$/m);
    const runIt = await run('script', ['-qec', `docker run --rm -it ${LEAF} sh -c '[ -t 0 ] && [ -t 1 ] && echo both-tty; exit 4'`, '/dev/null'], { env, holdStdin: true });
    assert.equal(runIt.code, 4, runIt.stdout + runIt.stderr);
    assert.match(runIt.stdout, /both-tty/);
  });

  describe('logs -f', () => {
    const ticker = `dl-fwd-ticker-${RUN_ID}`;
    before(async () => {
      containers.push(ticker);
      await dockerOk(['run', '-d', '--name', ticker, LEAF, 'sh', '-c', 'i=0; while :; do echo "tick $i"; i=$((i+1)); sleep 0.2; done']);
    });

    it('streams until interrupted, and the connection closes with the client', async () => {
      await waitFor(() => forwarder.activeConnections === 0, 20_000, 'earlier connections to close', 50, false);
      const logs = spawn('docker', ['logs', '-f', '--tail', '0', ticker], { env });
      try {
        const first = await firstLine(logs, /^tick \d+$/);
        const next = await firstLine(logs, /^tick \d+$/);
        assert.ok(Number(next.split(' ')[1]) > Number(first.split(' ')[1]), 'it follows');
        assert.equal(forwarder.activeConnections, 1);
        logs.kill('SIGINT');
        await exited(logs);
      } finally {
        logs.kill('SIGKILL');
      }
      await waitFor(() => forwarder.activeConnections === 0, 20_000, 'the forwarded connection to close', 50, false);
    });

    it('a client killed mid-stream leaves the forwarder serving the others', async () => {
      const a = spawn('docker', ['logs', '-f', '--tail', '0', ticker], { env });
      const b = spawn('docker', ['logs', '-f', '--tail', '0', ticker], { env });
      try {
        await Promise.all([firstLine(a, /^tick/), firstLine(b, /^tick/)]);
        assert.equal(forwarder.activeConnections, 2);
        a.kill('SIGKILL');
        await exited(a);
        await waitFor(() => forwarder.activeConnections === 1, 20_000, 'the killed client\'s connection to close', 50, false);
        const seen = await firstLine(b, /^tick \d+$/);
        const later = await firstLine(b, /^tick \d+$/);
        assert.ok(Number(later.split(' ')[1]) > Number(seen.split(' ')[1]), 'b keeps receiving');
        assert.match(await dockerOk(['ps', '--format', '{{.Names}}']), new RegExp(ticker));
      } finally {
        a.kill('SIGKILL');
        b.kill('SIGKILL');
        await Promise.all([exited(a), exited(b)]);
      }
      await waitFor(() => forwarder.activeConnections === 0, 20_000, 'every logs connection to close', 50, false);
    });
  });

  it('load: an image saved on the host arrives at level 3', async () => {
    const tag = `dl-fwd-load:${RUN_ID}`;
    const rootfs = fs.mkdtempSync(path.join(tmp, 'rootfs-'));
    fs.writeFileSync(path.join(rootfs, 'token'), `${RUN_ID}\n`);
    const tarball = path.join(tmp, 'image.tar');
    const host = dockerEnv(undefined);
    hostImages.push(tag);
    const imported = await run('sh', ['-c', `tar -C "${rootfs}" -c . | docker import - ${tag} >/dev/null && docker save -o "${tarball}" ${tag}`], { env: host });
    assert.equal(imported.code, 0, imported.stderr);
    const hostId = (await run('docker', ['image', 'inspect', '-f', '{{.Id}}', tag], { env: host })).stdout.trim();
    images.push(tag);
    assert.match(await dockerOk(['load', '-i', tarball]), new RegExp(`Loaded image: ${tag}`));
    assert.equal((await dockerOk(['image', 'inspect', '-f', '{{.Id}}', tag])).trim(), hostId);
    await dockerOk(['rmi', tag]);
  });

  it('build (legacy builder) of a context based on an image present at level 3', async () => {
    const tag = `dl-fwd-build:${RUN_ID}`;
    const context = fs.mkdtempSync(path.join(tmp, 'context-'));
    fs.writeFileSync(path.join(context, 'Dockerfile'), `FROM ${LEAF}\nRUN echo hi > /x\n`);
    images.push(tag);
    const out = await dockerOk(['build', '-t', tag, context], { extraEnv: { DOCKER_BUILDKIT: '0' } });
    assert.match(out, /Successfully tagged/);
    assert.equal(await dockerOk(['run', '--rm', tag, 'cat', '/x']), 'hi\n');
    await dockerOk(['rmi', tag]);
  });

  it('20 parallel docker ps', async () => {
    const total = forwarder.totalConnections;
    const expected = [...psAt(bedChain(3)).values()].filter((n) => !n.startsWith('dl-fwd-')).sort();
    const results = await Promise.all(Array.from({ length: 20 }, () => docker(['ps', '--format', '{{.Names}}'])));
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n').filter((n) => !n.startsWith('dl-fwd-')).sort(), expected);
    }
    assert.ok(forwarder.totalConnections - total >= 20);
    await waitFor(() => forwarder.activeConnections === 0, 20_000, 'every connection to close', 50, false);
  });

  describe('stop', () => {
    it('after stop: no socket, no child process, and the same active handles as before', async () => {
      for (const c of containers.splice(0)) await dockerOk(['rm', '-f', c]);
      const socketPath = forwarder.socketPath;
      await forwarder.stop();
      assert.equal(fs.existsSync(socketPath), false);
      assert.equal(fs.existsSync(path.dirname(socketPath)), false);
      const refused = await run('docker', ['ps'], { env });
      assert.notEqual(refused.code, 0);
      levels.dispose();
      await waitFor(() => liveChildren().length === 0, 20_000, () => `no child process to remain (${describeChildren()})`, 50, false);
      // Keep-alive sockets of the level clients close on their own idle timeout.
      await waitFor(() => sameResources(activeResources(), baseline), 15_000,
        () => `handles to match ${JSON.stringify([...baseline])}, now ${JSON.stringify([...activeResources()])}`, 50, false);
    });
  });
});

describe('level forwarder over TLS and over an all-tunnel chain (integration)', () => {
  it('a TLS level (certificates read from the container) serves the docker CLI', async () => {
    const levels = newLevels({ transportOrder: ['tls'] });
    try {
      const level = await levels.openLevel(levels.roots()[0], theBed().tls.id);
      assert.equal(level.transport.kind, 'tls');
      const forwarder = await LevelForwarder.start(level);
      try {
        const r = await run('docker', ['info', '--format', '{{.Name}}'], { env: dockerEnv(forwarder.dockerHost) });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), theBed().tls.id.slice(0, 12));
      } finally {
        await forwarder.stop();
      }
    } finally {
      levels.dispose();
    }
  });

  it('20 parallel docker ps through exec tunnels at every hop', async () => {
    const levels = newLevels({ transportOrder: ['tunnel'] });
    try {
      const level = await openBedLevel(levels, 3);
      assert.equal(level.parent?.transport.kind, 'tunnel');
      const forwarder = await LevelForwarder.start(level);
      try {
        const results = await Promise.all(Array.from({ length: 20 }, () =>
          run('docker', ['ps', '-q'], { env: dockerEnv(forwarder.dockerHost) })));
        for (const r of results) assert.equal(r.code, 0, r.stderr);
        await waitFor(() => forwarder.activeConnections === 0, 20_000, 'every connection to close', 50, false);
      } finally {
        await forwarder.stop();
      }
    } finally {
      levels.dispose();
    }
  });
});

describe('docker-levels forward and env (integration)', () => {
  const cliJs = path.join(REPO, 'out', 'cli.js');
  let runtime: string;
  let cliEnv: NodeJS.ProcessEnv;
  const started: number[] = [];

  before(() => {
    // A private registry, so these tests neither see nor disturb the user's own forwarders.
    runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-runtime-'));
    cliEnv = { ...dockerEnv(undefined), XDG_RUNTIME_DIR: runtime };
  });

  after(async () => {
    for (const pid of started) {
      try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    }
    await waitFor(() => started.every(processGone), 20_000, 'background forwarders to exit', 50, false).catch(() => undefined);
    fs.rmSync(runtime, { recursive: true, force: true });
  });

  it('forward prints DOCKER_HOST first, serves, is found by env, and cleans up on SIGTERM', async () => {
    const socket = path.join(runtime, 'l3.sock');
    const child = spawn(process.execPath, [cliJs, 'forward', LEVEL3_PATH(), '--socket', socket], { env: cliEnv });
    try {
      const line = await firstLine(child, /./);
      assert.equal(line, `DOCKER_HOST=unix://${socket}`);
      assert.equal(fs.statSync(socket).mode & 0o777, 0o600);
      const ps = await run('docker', ['ps', '--format', '{{.Names}}'], { env: dockerEnv(`unix://${socket}`) });
      assert.equal(ps.code, 0, ps.stderr);
      assert.match(ps.stdout, new RegExp(theBed().web3.name));

      const found = await run(process.execPath, [cliJs, 'env', LEVEL3_PATH()], { env: cliEnv });
      assert.equal(found.code, 0, found.stderr);
      assert.equal(found.stdout, `export DOCKER_HOST=unix://${socket}\n`);
      assert.match(found.stderr, new RegExp(`using the forwarder .*pid ${child.pid}`));

      child.kill('SIGTERM');
      assert.deepEqual(await exited(child), { code: 0, signal: null });
      assert.equal(fs.existsSync(socket), false);
      assert.deepEqual(await new ForwarderRegistry(path.join(runtime, 'docker-levels')).live(), []);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('env starts a background forwarder once and finds it again, also by ID prefixes', async () => {
    const first = await run(process.execPath, [cliJs, 'env', LEVEL3_PATH()], { env: cliEnv });
    assert.equal(first.code, 0, first.stderr);
    const pid = Number(/started a forwarder .*\(pid (\d+)\)/.exec(first.stderr)?.[1]);
    assert.ok(pid > 0, first.stderr);
    started.push(pid);
    const m = /^export DOCKER_HOST=(unix:\/\/\S+)\n$/.exec(first.stdout);
    assert.ok(m, first.stdout);
    const host = m[1];

    // The output is meant for eval in a shell.
    const viaEval = await run('sh', ['-c', `eval "$("${process.execPath}" "${cliJs}" env ${LEVEL3_PATH()})" && docker info --format '{{.Name}}'`], { env: cliEnv });
    assert.equal(viaEval.code, 0, viaEval.stderr);
    assert.equal(viaEval.stdout.trim(), theBed().l3.id.slice(0, 12));

    const b = theBed();
    const byIds = await run(process.execPath, [cliJs, 'env', [b.l1.id.slice(0, 10), b.l2.name, b.l3.id.slice(0, 8)].join('/')], { env: cliEnv });
    assert.equal(byIds.code, 0, byIds.stderr);
    assert.equal(byIds.stdout, `export DOCKER_HOST=${host}\n`);
    assert.match(byIds.stderr, new RegExp(`using the forwarder .*pid ${pid}`));

    process.kill(pid, 'SIGTERM');
    await waitFor(() => processGone(pid), 20_000, 'the background forwarder to exit', 50, false);
    assert.equal(fs.existsSync(host.slice('unix://'.length)), false);
  });

  it('env reports a path that does not exist, and starts nothing', async () => {
    const r = await run(process.execPath, [cliJs, 'env', `${bedChain(1)[0]}/no-such-level`], { env: cliEnv });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No container "no-such-level"/);
    assert.deepEqual(await new ForwarderRegistry(path.join(runtime, 'docker-levels')).live(), []);
  });
});
