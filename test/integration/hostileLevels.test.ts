/**
 * A level is untrusted: whoever is root in its container decides what its "daemon" answers.
 * These tests drive the core and the CLI against a FAKE daemon that lies (test/support/fakeLyingDaemon.ts,
 * on 127.0.0.1 only): a real dockerd cannot be made to lie.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import {
  checkExitCode, createDockerClient, DockerLevelsError, endpointFromSetting, ImpostorDaemonError, LevelForwarder, Levels, snapshotDaemon,
} from '../../src/core';
import { startFakeLyingDaemon, type FakeLevel } from '../support/fakeLyingDaemon';
import { theBed } from './testBed';
import { RAW_CONTROL, runCli } from '../support/lyingChecks';

const HOSTILE = 'evil\u001b]0;pwned\u0007\u001b[2J\u001b]52;c;aGk=\u0007\u009b31m\u202egnp\nwarn [levels] forged';

describe('hostile levels: a fake daemon that lies (integration)', function () {
  this.timeout(120_000);
  let fake: FakeLevel | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('a 2 GB container list is cut at the cap: an error on that level, peak memory under 300 MB', async () => {
    fake = await startFakeLyingDaemon({ containers: 'huge', hugeBytes: 2 * 1024 ** 3 });
    const r = await runCli(['tree', '--host', fake.url]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /larger than 64 MiB, which no Docker daemon sends/);
    assert.ok(r.maxRssMb < 300, `peak RSS ${r.maxRssMb} MB`);
    assert.ok(fake.hugeSent() < 512 * 1024 ** 2, `the fake sent ${fake.hugeSent()} bytes before the CLI hung up`);
  });

  it('names, images, the /info Name and labels with escapes reach the CLI as visible text', async () => {
    const id = 'a'.repeat(64);
    fake = await startFakeLyingDaemon({
      info: { ID: 'FAKE:x', Name: HOSTILE, ServerVersion: `20.10${HOSTILE}` },
      containers: [{ Id: id, Names: [`/${HOSTILE}`], Image: HOSTILE, State: 'running', Status: 'Up', Labels: { x: HOSTILE } }],
    });
    const text = await runCli(['tree', '--host', fake.url]);
    assert.equal(text.code, 0, text.stderr);
    assert.doesNotMatch(text.stdout, RAW_CONTROL);
    assert.match(text.stdout, /evil\\x1b\]0;pwned\\x07\\x1b\[2J/);
    assert.match(text.stdout, /\\u202egnp⏎warn \[levels\] forged/);
    assert.equal(text.stdout.split('\n').filter((l) => l.startsWith('warn [levels]')).length, 0, 'no forged line');

    const json = await runCli(['tree', '--json', '--host', fake.url]);
    assert.equal(json.code, 0, json.stderr);
    assert.doesNotMatch(json.stdout, RAW_CONTROL);
    assert.doesNotMatch(json.stdout, /[\u2028\u2029]/);
    const parsed = JSON.parse(json.stdout) as { daemons: { name: string; containers: { name: string; image: string }[] }[] };
    assert.equal(parsed.daemons[0].name, HOSTILE, 'JSON keeps the data exactly, escaped');
    assert.equal(parsed.daemons[0].containers[0].image, HOSTILE);
  });

  it('entries of the wrong type are left out; their siblings stay listed', async () => {
    const good = 'b'.repeat(64);
    fake = await startFakeLyingDaemon({
      containers: [
        { Id: 12345, Names: ['/number-id'], Image: 'x', State: 'running' },
        { Id: 'c'.repeat(64), Names: '/names-is-a-string', Image: 'x', State: 'running' },
        { Id: good, Names: ['/harmless'], Image: 'busybox', State: 'running', Status: 'Up' },
      ],
    });
    const r = await runCli(['tree', '--json', '--host', fake.url]);
    assert.equal(r.code, 1, 'a level that lied is reported');
    const parsed = JSON.parse(r.stdout) as { daemons: { error: string; containers: { id: string; name: string }[] }[] };
    assert.deepEqual(parsed.daemons[0].containers.map((c) => c.name), ['harmless']);
    assert.match(parsed.daemons[0].error, /Left out 2 of the listed containers/);
  });

  it('a container list that is an object is an error on that level, said plainly', async () => {
    fake = await startFakeLyingDaemon({ containers: { Id: 'not a list' } });
    const r = await runCli(['tree', '--host', fake.url]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /not the Docker Engine API: the container list is not a list/);
    assert.doesNotMatch(r.stderr, /TypeError|at .*\.js:\d+/, 'no stack trace: the error is handled');
  });

  it('an /info without a daemon ID is an error on that level', async () => {
    fake = await startFakeLyingDaemon({ info: { ID: 7, Name: ['x'] } });
    const r = await runCli(['tree', '--host', fake.url]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\/info has no daemon ID/);
  });

  it('a daemon that invents a level in every container ends at the depth limit, and --depth lowers it', async () => {
    fake = await startFakeLyingDaemon({ inventLevels: 1 });
    const r = await runCli(['tree', '--json', '--transport', 'tunnel', '--host', fake.url]);
    const parsed = JSON.parse(r.stdout) as { daemons: Snapshot[] };
    assert.equal(deepest(parsed.daemons[0]), 10, r.stderr);
    const served = fake.levelsServed();
    assert.ok(served <= 12, `${served} fake levels were asked for`);

    const shallow = await runCli(['tree', '--json', '--depth', '2', '--transport', 'tunnel', '--host', fake.url]);
    assert.equal(deepest((JSON.parse(shallow.stdout) as { daemons: Snapshot[] }).daemons[0]), 2);
  });

  it('a daemon that invents many levels per level ends at the walk budget, with a note where it ran out', async () => {
    fake = await startFakeLyingDaemon({ inventLevels: 3 });
    const r = await runCli(['tree', '--json', '--depth', '8', '--transport', 'tunnel', '--host', fake.url]);
    const text = r.stdout;
    assert.match(text, /Not opened: this walk has opened its 500 levels/);
    const parsed = JSON.parse(text) as { daemons: Snapshot[] };
    assert.equal(countLevels(parsed.daemons[0]), 500 + countNotOpened(parsed.daemons[0]));
  });

  it('a tree that answers just slowly enough ends at the walk deadline, with a note on the nodes not opened', async () => {
    fake = await startFakeLyingDaemon({ inventLevels: 1, slowMs: 150 });
    const levels = new Levels([endpointFromSetting({ url: fake.url })], { timeoutMs: 5000, transportOrder: ['tunnel'] });
    try {
      const snap = await snapshotDaemon(levels, levels.roots()[0], { depth: 10, deadlineMs: 2000 }) as unknown as Snapshot;
      const notes = collectErrors(snap);
      assert.ok(notes.includes('Not opened: this walk reached its deadline of 2 s.'), `notes: ${notes.join(' | ')}`);
      assert.ok(deepest(snap) < 10, 'the walk ended before the depth limit');
    } finally {
      levels.dispose();
    }
  });

  it('an exit code that is not an integer from 0 to 255 is an error that says so', () => {
    assert.equal(checkExitCode(0, 'level x'), 0);
    assert.equal(checkExitCode(255, 'level x'), 255);
    for (const bad of ['abc', 1e308, -1, 256, 1.5, null, {}]) {
      assert.throws(() => checkExitCode(bad, 'level x'), (e: unknown) => e instanceof DockerLevelsError && /is not an integer from 0 to 255/.test(e.message));
    }
  });

  it('a fake daemon that takes over the port of a dead one gets nothing through the forwarder: it refuses and stops', async () => {
    const honest = await startFakeLyingDaemon({ info: { ID: 'AAAA:AAAA:honest', Name: 'level-a' } });
    const levels = new Levels([endpointFromSetting({ url: honest.url })], { timeoutMs: 5000 });
    let forwarder: LevelForwarder | undefined;
    try {
      forwarder = await LevelForwarder.start(levels.roots()[0]);
      const before = await requestVia(forwarder.socketPath, 'GET', '/_ping');
      assert.equal(before.status, 200);
      assert.deepEqual(honest.requests().map((r) => r.line), ['GET /info', 'GET /info', 'GET /_ping'], 'confirmed, checked, then the request');

      await honest.close();
      fake = await startFakeLyingDaemon({ port: honest.port, info: { ID: 'BBBB:BBBB:impostor', Name: 'level-a' } });
      const auth = await requestVia(forwarder.socketPath, 'POST', '/auth', JSON.stringify({ username: 'me', password: 'secret-password' }));
      assert.equal(auth.status, 502);
      assert.match((JSON.parse(auth.body) as { message: string }).message, /now answers as another daemon \(ID BBBB:BBBB:impostor, host name "level-a"\), not the one it was opened with \(ID AAAA:AAAA:honest/);
      assert.deepEqual(fake.requests(), [{ line: 'GET /info', bodyBytes: 0 }], 'the impostor was asked who it is, and got no byte of the request');
      assert.equal(forwarder.state, 'stopped');
      assert.ok(forwarder.stopReason instanceof ImpostorDaemonError);
      assert.ok(!fs.existsSync(forwarder.socketPath), 'the socket is gone');
    } finally {
      await forwarder?.stop();
      levels.dispose();
      await honest.close();
    }
  });

  it('no byte of a TLS level\'s client key appears in any output under DEBUG=modem and NODE_DEBUG=http,net,tls', async () => {
    const keyPem = execFileSync('docker', ['exec', theBed().tls.name, 'cat', '/certs/client/key.pem'], { encoding: 'utf8' });
    const keyLines = keyPem.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('-----'));
    assert.ok(keyLines.length > 10, 'a real key was read');
    const r = await runCli(['tree', '--depth', '1', '--transport', 'tls'], { DEBUG: 'modem', NODE_DEBUG: 'http,net,tls' });
    const output = r.stdout + r.stderr;
    assert.match(r.stdout, new RegExp(`${theBed().tls.name} .*\\[tls tls://`), 'the TLS level was reached with that key');
    assert.match(r.stderr, /modem Sending/, 'the debug output is on');
    for (const line of keyLines) {
      // Whole lines, and the 16-character pieces a wrapped or re-encoded dump would still show.
      for (let i = 0; i + 16 <= line.length; i += 16) assert.ok(!output.includes(line.slice(i, i + 16)), `key bytes in the output: ${line.slice(i, i + 16)}`);
    }
    const der = Buffer.from(keyLines.join(''), 'base64');
    assert.ok(!output.includes(Buffer.from(keyPem).subarray(0, 24).toString('hex').replace(/(..)(?!$)/g, '$1 ')), 'no hex dump of the PEM');
    assert.ok(!output.includes(der.subarray(8, 40).toString('hex')), 'no hex of the key itself');
    assert.doesNotMatch(output, /PRIVATE KEY/);
  });

  describe('the user\'s DOCKER_HOST and DOCKER_CERT_PATH', () => {
    const saved = { ...process.env };
    let certDir = '';
    before(() => {
      certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-fake-certs-'));
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(certDir, f), `-----BEGIN FAKE ${f}-----\n`);
      process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
      process.env.DOCKER_TLS_VERIFY = '1';
      process.env.DOCKER_CERT_PATH = certDir;
    });
    after(() => {
      for (const k of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) {
        if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
      }
      fs.rmSync(certDir, { recursive: true, force: true });
    });

    it('reach no client: a socket client keeps its socket, and none carries the user\'s key', () => {
      const modems = [
        createDockerClient({ kind: 'unix', socketPath: '/nonexistent.sock' } as never),
        createDockerClient({ kind: 'tcp', host: '127.0.0.1', port: 2375 } as never),
      ].map((d) => d.modem as unknown as Record<string, unknown>);
      assert.equal(modems[0].socketPath, '/nonexistent.sock');
      assert.equal(modems[0].host, undefined);
      assert.equal(modems[0].protocol, 'http');
      assert.equal(modems[1].host, '127.0.0.1');
      assert.equal(modems[1].protocol, 'http');
      for (const m of modems) {
        assert.equal(m.key, undefined);
        assert.equal(m.cert, undefined);
        assert.equal(m.ca, undefined);
      }
    });
  });
});

/** One request over a forwarder's unix socket, as any Docker client would send it. */
function requestVia(socketPath: string, method: string, urlPath: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // A fresh connection each, as a new docker CLI process makes.
    const req = http.request({ socketPath, agent: false, method, path: urlPath, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Snapshot { depth: number; error: string | null; containers: { level: Snapshot | null }[] }

function deepest(d: Snapshot): number {
  return Math.max(d.depth, ...d.containers.map((c) => (c.level ? deepest(c.level) : 0)));
}

function collectErrors(d: Snapshot): string[] {
  return [...(d.error ? [d.error] : []), ...d.containers.flatMap((c) => (c.level ? collectErrors(c.level) : []))];
}

function countLevels(d: Snapshot): number {
  return d.containers.reduce((n, c) => n + (c.level ? 1 + countLevels(c.level) : 0), 0);
}

function countNotOpened(d: Snapshot): number {
  return d.containers.reduce((n, c) => n + (c.level ? (c.level.error?.startsWith('Not opened') ? 1 : 0) + countNotOpened(c.level) : 0), 0);
}
