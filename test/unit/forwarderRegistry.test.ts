import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerLevelsError, ForwarderRecord, ForwarderRegistry, forwarderRuntimeDir, isProcessAlive } from '../../src/core';
import { shellQuote } from '../../src/cli/commands/envCommand';

describe('forwarder registry (unit)', () => {
  let base: string;
  let registry: ForwarderRegistry;
  let server: net.Server | undefined;

  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-reg-'));
    registry = new ForwarderRegistry(path.join(base, 'docker-levels'));
  });
  afterEach(async () => {
    if (server) await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    fs.rmSync(base, { recursive: true, force: true });
  });

  async function listening(): Promise<string> {
    const sock = path.join(base, 'f.sock');
    server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server!.listen(sock, resolve));
    return sock;
  }

  function record(over: Partial<ForwarderRecord>): ForwarderRecord {
    return {
      pid: process.pid, levelId: 'local/aaa/bbb', rootUrl: 'unix:///var/run/docker.sock', path: 'l1/l2', requested: 'l1/l2',
      socketPath: '/nowhere.sock', dockerHost: 'unix:///nowhere.sock', startedAt: new Date(0).toISOString(), ...over,
    };
  }

  it('lives under XDG_RUNTIME_DIR when set, else a per-user folder in the temp dir', () => {
    assert.equal(forwarderRuntimeDir({ XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/docker-levels');
    assert.equal(forwarderRuntimeDir({}), path.join(os.tmpdir(), `docker-levels-${process.getuid!()}`));
  });

  it('keeps one private file per level and finds live forwarders only', async () => {
    const sock = await listening();
    registry.register(record({ socketPath: sock, dockerHost: `unix://${sock}` }));
    assert.equal(fs.statSync(registry.dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(registry.fileFor('local/aaa/bbb')).mode & 0o777, 0o600);
    assert.deepEqual((await registry.live()).map((r) => r.socketPath), [sock]);
    registry.unregister('local/aaa/bbb', process.pid + 1);
    assert.equal((await registry.live()).length, 1, 'another pid does not remove it');
    registry.unregister('local/aaa/bbb');
    assert.deepEqual(await registry.live(), []);
  });

  it('drops records of dead processes and of sockets that no longer answer', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    assert.equal(isProcessAlive(deadPid), false);
    const sock = await listening();
    registry.register(record({ levelId: 'a', pid: deadPid, socketPath: sock }));
    registry.register(record({ levelId: 'b', socketPath: path.join(base, 'gone.sock') }));
    assert.deepEqual(await registry.live(), []);
    assert.deepEqual(registry.records(), []);
  });

  it('refuses a runtime directory others can write', () => {
    fs.mkdirSync(registry.dir, { mode: 0o777 });
    fs.chmodSync(registry.dir, 0o777);
    assert.throws(() => registry.register(record({})), (e: unknown) => e instanceof DockerLevelsError && e.kind === 'permission');
  });

  it('serialises work under its lock and takes over a lock whose holder died', async () => {
    const order: string[] = [];
    // A holds the lock until the gate opens (no fixed sleep: the lock is taken synchronously).
    let open!: () => void;
    const gate = new Promise<void>((resolve) => { open = resolve; });
    const slow = registry.withLock(async () => {
      order.push('a start');
      await gate;
      order.push('a end');
    });
    assert.deepEqual(order, ['a start'], 'A holds the lock');
    const second = registry.withLock(async () => { order.push('b'); });
    assert.deepEqual(order, ['a start'], 'B found the lock held and waits');
    open();
    await Promise.all([slow, second]);
    assert.deepEqual(order, ['a start', 'a end', 'b']);
    fs.writeFileSync(path.join(registry.dir, 'registry.lock'), '999999999');
    assert.equal(await registry.withLock(async () => 'taken over', 2000), 'taken over');
  });
});

describe('env output quoting (unit)', () => {
  it('leaves plain socket paths alone and quotes anything else for a POSIX shell', () => {
    assert.equal(shellQuote('unix:///tmp/docker-levels-Ab1/docker.sock'), 'unix:///tmp/docker-levels-Ab1/docker.sock');
    assert.equal(shellQuote("unix:///tmp/my dir/it's.sock"), `'unix:///tmp/my dir/it'\\''s.sock'`);
    const echoed = spawnSync('sh', ['-c', `X=${shellQuote("a b'c$d")}; printf %s "$X"`], { encoding: 'utf8' }).stdout;
    assert.equal(echoed, "a b'c$d");
  });
});
