/**
 * The bound on docker-modem's failed stream bodies (src/core/transport/modemFailureBody.ts)
 * replaces one internal of docker-modem: these fail when docker-modem changes its shape.
 * The answers come from a FAKE daemon on 127.0.0.1 (a real dockerd cannot be made to fail so).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { classifyError, createDockerClient, DockerLevelsError } from '../../src/core';
import { CHECKED_MODEM_VERSION } from '../../src/core/transport/modemFailureBody';

const MODEM_DIR = path.dirname(require.resolve('docker-modem/package.json'));

describe('docker-modem failed stream bodies are bounded (unit, fake daemon on 127.0.0.1)', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function fakeDaemon(answer: (res: http.ServerResponse) => void): Promise<number> {
    server = http.createServer((req, res) => { req.resume(); answer(res); });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it(`is the docker-modem ${CHECKED_MODEM_VERSION} it was checked against: buildPayload(err, isStream, statusCodes, openStdin, req, res, json, cb) reading the cause itself`, () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(MODEM_DIR, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version, CHECKED_MODEM_VERSION, 'docker-modem changed: check lib/modem.js buildPayload, then the module and this version');
    const source = fs.readFileSync(path.join(MODEM_DIR, 'lib/modem.js'), 'utf8');
    assert.match(source, /Modem\.prototype\.buildPayload = function \(err, isStream, statusCodes, openStdin, req, res, json, cb\)/);
    assert.match(source, /self\.buildPayload\(null, context\.isStream, context\.statusCodes, context\.openStdin, req, res, null, callback\)/);
  });

  it('a failed stream request still reports the daemon\'s message and status as docker-modem did', async () => {
    const port = await fakeDaemon((res) => res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'pull access denied for x' })));
    const docker = createDockerClient({ kind: 'tcp', host: '127.0.0.1', port });
    await assert.rejects(docker.pull('x'), (e: unknown) => {
      assert.equal((e as { statusCode?: number }).statusCode, 500);
      assert.match(String((e as Error).message), /^\(HTTP code 500\) server error - pull access denied for x/);
      assert.equal(classifyError(e, 'fake').kind, 'unknown');
      return true;
    });
  });

  it('a failed stream body past 64 MiB is cut: a classified error, and the read stops', async function () {
    // 64 MiB over loopback: well under a second alone, longer on a loaded machine.
    this.timeout(30_000);
    let sent = 0;
    const port = await fakeDaemon((res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      const pump = () => {
        while (!res.destroyed && sent < 1024 ** 3) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
    });
    const docker = createDockerClient({ kind: 'tcp', host: '127.0.0.1', port });
    await assert.rejects(docker.pull('x'), (e: unknown) => e instanceof DockerLevelsError && /larger than 64 MiB/.test(e.message));
    assert.ok(sent < 512 * 1024 ** 2, `the fake sent ${sent} bytes before the client hung up`);
  });
});
