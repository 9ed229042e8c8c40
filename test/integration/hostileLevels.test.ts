import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CliSession } from '../../src/cli/cliContext';
import { DockerLevelsError } from '../../src/core/errors';
import { snapshotDaemon, type DaemonSnapshot } from '../../src/core/levels/treeSnapshot';
import { createDockerClient } from '../../src/core/transport/dockerClient';
import { checkedExitCode } from '../../src/core/untrusted/numbers';
import { MAX_BODY_BYTES } from '../../src/core/untrusted/limits';
import { hugeJsonBody, jsonAnswer, startFakeLyingDaemon, type FakeLyingDaemon } from './fakeLyingDaemon/fakeLyingDaemon';

// Against a FAKE lying daemon on 127.0.0.1: no bed, no dockerd. Run it alone with
//   npm run build:cli && npx mocha --require tsx/cjs --timeout 180000 test/integration/hostileLevels.test.ts
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'out', 'cli.js');
// ESC, BEL, C1 CSI, a bidi override and a newline: none may reach a terminal raw.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const HOSTILE_NAME = 'evil\u001b]0;title\u0007\u001b[2J\u009b';
const lyingDaemon = (containers: unknown) => startFakeLyingDaemon({
  '/_ping': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('OK'); },
  '/version': jsonAnswer({ Version: '27.0.0', ApiVersion: '1.47' }),
  '/info': jsonAnswer({ ID: 'fake-lying', Name: HOSTILE_NAME, ServerVersion: '27\u001b]52;c;aGk=\u0007' }),
  '/containers/json': jsonAnswer(containers),
});

/** Runs the built CLI; a non-zero exit is an answer here, not a failure. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('hostile levels (fake lying daemon)', () => {
  let fake: FakeLyingDaemon | undefined;
  afterEach(async () => { await fake?.close(); fake = undefined; });

  it('a 2 GB body stops at the cap with a clear error, and the reader peaks under 300 MB', async () => {
    fake = await startFakeLyingDaemon({ '/containers/json': hugeJsonBody(2 * 1024 * 1024 * 1024) });
    const child = path.join(__dirname, 'fakeLyingDaemon', 'hugeBodyChild.ts');
    const { stdout } = await run(process.execPath, ['--require', 'tsx/cjs', child, String(fake.port)],
      { cwd: ROOT, maxBuffer: 1024 * 1024 });
    const result = JSON.parse(stdout) as { kind: string; message: string; peakRssBytes: number };
    assert.equal(result.kind, 'notADaemon');
    assert.match(result.message, new RegExp(`larger than ${MAX_BODY_BYTES / (1024 * 1024)} MB`));
    assert.ok(result.peakRssBytes < 300 * 1024 * 1024, `peak RSS ${result.peakRssBytes} bytes`);
  });

  it('escapes in names, images, labels and the /info Name never reach the CLI output raw', async () => {
    fake = await lyingDaemon([{ Id: 'a'.repeat(64), Names: ['/good\u001b[31m\nwarn [levels] forged'], Image: 'img\u202e',
      State: 'running', Labels: { x: '\u001b]52;c;aGk=\u0007' } }]);
    const text = await cli(['tree', '--host', `tcp://127.0.0.1:${fake.port}`]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /good.*warn \[levels\] forged/);
    assert.doesNotMatch(text.stdout.replace(/\n/g, ''), RAW_CONTROL);
    assert.equal(text.stdout.split('\n').filter((l) => l.includes('forged')).length, 1, 'the forged line stays inside its name');
    const json = await cli(['tree', '--json', '--host', `tcp://127.0.0.1:${fake.port}`]);
    assert.doesNotMatch(json.stdout, RAW_CONTROL);
    const parsed = JSON.parse(json.stdout) as { daemons: { name: string; containers: { image: string }[] }[] };
    assert.equal(parsed.daemons[0].name, HOSTILE_NAME);
    assert.equal(parsed.daemons[0].containers[0].image, 'img\u202e');
  });

  it('a malformed container entry is dropped and its siblings stay listed', async () => {
    fake = await lyingDaemon([{ Id: 42, Names: ['/numeric-id'] }, { Id: 'b'.repeat(64), Names: '/string-names' },
      { Id: 'c'.repeat(64), Names: ['/sibling'], Image: 'alpine', State: 'running' }]);
    const out = await cli(['tree', '--json', '--host', `tcp://127.0.0.1:${fake.port}`]);
    assert.equal(out.code, 0, out.stderr);
    const parsed = JSON.parse(out.stdout) as { daemons: { error: string | null; containers: { name: string }[] }[] };
    assert.deepEqual(parsed.daemons[0].containers.map((c) => c.name), ['sibling']);
  });

  it('a container list that is an object is an error on that level, said clearly', async () => {
    fake = await lyingDaemon({ Id: 'not-a-list' });
    const out = await cli(['tree', '--host', `tcp://127.0.0.1:${fake.port}`]);
    assert.equal(out.code, 1);
    assert.match(out.stdout + out.stderr, /answered nonsense: the container list is object, not a list/);
    assert.doesNotMatch(out.stdout + out.stderr, /is not a function|TypeError/);
  });

  it('a daemon that invents levels ends at the walk budget, with a note on the node where it ran out', async () => {
    // Every container publishes this same fake as its daemon, with a new ID each time it is asked.
    let asked = 0;
    let port = 0;
    const invented = (i: number) => ({ Id: `${'e'.repeat(63)}${i}`, Names: [`/invented${i}`], Image: 'docker:dind', State: 'running',
      Labels: {}, Ports: [{ PrivatePort: 2375, PublicPort: port, IP: '127.0.0.1', Type: 'tcp' }] });
    fake = await startFakeLyingDaemon({
      '/_ping': (_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('OK'); },
      '/version': jsonAnswer({ Version: '27.0.0', ApiVersion: '1.47' }),
      '/info': (req, res) => jsonAnswer({ ID: `invented-${asked++}`, Name: `invented-${asked}`, ServerVersion: '27' })(req, res),
      '/containers/json': jsonAnswer([0, 1, 2].map(invented)),
      '/containers/:id/json': (req, res) => jsonAnswer({ Id: `${'e'.repeat(63)}0`, Name: '/invented0',
        State: { Running: true, Status: 'running' }, Config: { Image: 'docker:dind', Labels: {}, Env: [] }, HostConfig: {},
        NetworkSettings: { Ports: { '2375/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] }, Networks: {} } })(req, res),
    });
    port = fake.port;
    const session = new CliSession({ host: `tcp://127.0.0.1:${port}`, transport: 'published' });
    try {
      const snap = await snapshotDaemon(session.levels, session.root, { depth: 1, budget: { levelsLeft: 2, deadline: Infinity } });
      const levels = snap.containers.map((c) => c.level).filter((l): l is DaemonSnapshot => !!l);
      assert.equal(levels.length, 3);
      assert.equal(levels.filter((l) => l.error === null).length, 2, JSON.stringify(levels));
      const notes = levels.filter((l) => l.error?.startsWith('Not opened: this walk reached its budget'));
      assert.equal(notes.length, 1);
    } finally {
      session.dispose();
    }
  });

  it('an exit code that is not an integer from 0 to 255 is an error that says so', () => {
    assert.equal(checkedExitCode(0), 0);
    assert.equal(checkedExitCode(255), 255);
    for (const lie of ['abc', 1e308, -1, 256, 1.5, null, '\u001b]0;pwned\u0007']) {
      assert.throws(() => checkedExitCode(lie), (err: unknown) =>
        err instanceof DockerLevelsError && err.kind === 'notADaemon' && /not an integer from 0 to 255/.test(err.message)
        && !err.message.includes('\u001b'));
    }
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
