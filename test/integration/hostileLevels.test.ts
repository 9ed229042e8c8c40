import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DockerLevelsError } from '../../src/core/errors';
import { createDockerClient } from '../../src/core/transport/dockerClient';
import { checkedExitCode } from '../../src/core/untrusted/numbers';
import { MAX_BODY_BYTES } from '../../src/core/untrusted/limits';
import { hugeJsonBody, startFakeLyingDaemon, type FakeLyingDaemon } from './fakeLyingDaemon/fakeLyingDaemon';

// Against a FAKE lying daemon on 127.0.0.1: no bed, no dockerd. Run it alone with
//   npx mocha --require tsx/cjs --timeout 180000 test/integration/hostileLevels.test.ts
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

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
