import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerLevelsError, isLongLivedRequest, LevelForwarder } from '../../src/core';
import { endToEndHeaders, requestHead } from '../../src/core/forward/requestKinds';

function get(socketPath: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ socketPath, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('pooled forwarder: which requests get a stream of their own', () => {
  it('streams, hijacks and waits do; lists, inspects and one-shot logs and stats do not', () => {
    for (const url of ['/v1.41/events', '/events?filters=x', '/v1.41/containers/abc/attach?stream=1', '/exec/abc/start',
      '/v1.41/containers/abc/logs?stdout=1&follow=1', '/containers/abc/stats', '/containers/abc/wait', '/containers/abc/stop?t=10',
      '/v1.41/images/create?fromImage=x', '/images/load', '/images/x/get', '/build?t=x', '/session', '/containers/abc/archive?path=/']) {
      assert.equal(isLongLivedRequest(url), true, url);
    }
    for (const url of ['/_ping', '/v1.41/containers/json?all=1', '/containers/abc/json', '/containers/abc/logs?stdout=1&tail=10',
      '/containers/abc/stats?stream=false', '/v1.41/info', '/containers/create?name=x', '/exec/abc/json', '/images/json', undefined]) {
      assert.equal(isLongLivedRequest(url), false, String(url));
    }
  });

  it('hop-by-hop headers stay on their own hop; the others pass as the client wrote them', () => {
    assert.deepEqual(endToEndHeaders(['Host', 'docker', 'Connection', 'Upgrade', 'Upgrade', 'tcp', 'Content-Length', '2', 'keep-alive', 'x']),
      ['Host', 'docker', 'Content-Length', '2']);
    assert.equal(requestHead('POST', '/exec/a/start', '1.1', ['Host', 'docker', 'Upgrade', 'tcp']),
      'POST /exec/a/start HTTP/1.1\r\nHost: docker\r\nUpgrade: tcp\r\n\r\n');
  });
});

describe('pooled forwarder: a route that cannot be opened (fake target)', () => {
  it('every waiting request is answered 502 with the reason, none is left hanging', async () => {
    let opens = 0;
    const forwarder = await LevelForwarder.start({
      id: 'root/fake', what: 'level fake', transport: { kind: 'tunnel', address: 'exec tunnel via fake' },
      openRawStream: async () => {
        opens++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new DockerLevelsError('unreachable', 'The fake tunnel does not open.');
      },
    }, { pool: { streams: 2, waiting: 50 } });
    try {
      assert.equal(forwarder.pooled, true);
      const answers = await Promise.all(Array.from({ length: 12 }, () => get(forwarder.socketPath, '/containers/json')));
      for (const a of answers) {
        assert.equal(a.status, 502);
        assert.match((JSON.parse(a.body) as { message: string }).message, /^docker-levels: The fake tunnel does not open\./);
      }
      assert.equal(forwarder.failedConnections, 12);
      assert.equal(forwarder.requestsInFlight, 0);
      assert.ok(opens <= 12, `${opens} opens`);
    } finally {
      await forwarder.stop();
    }
  });
});

describe('pooled forwarder: clients that give up while their request waits (fake daemon, slow opening)', () => {
  it('their requests finish on the kept streams: no stream is closed and reopened for them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-pool-'));
    const socketPath = path.join(dir, 'd.sock');
    let daemonConnections = 0;
    // A stand-in daemon; what it cannot show for real is a stream that takes long to open.
    // Content-Length as dockerd sends it: without one, Node's server closes after a HEAD answer.
    const daemon = http.createServer((req, res) => setTimeout(() => res.writeHead(200, { 'Content-Length': req.method === 'HEAD' ? 0 : 2 }).end('OK'), 20));
    daemon.on('connection', () => daemonConnections++);
    await new Promise<void>((resolve) => daemon.listen(socketPath, resolve));
    const forwarder = await LevelForwarder.start({
      id: 'root/fake', what: 'level fake', transport: { kind: 'tunnel', address: 'exec tunnel via fake' },
      openRawStream: async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const s = net.connect({ path: socketPath, allowHalfOpen: true });
        await new Promise((resolve) => s.once('connect', resolve));
        return s;
      },
    }, { pool: { streams: 2, waiting: 50 } });
    try {
      // 20 clients send a ping and hang up before any answer can come.
      await Promise.all(Array.from({ length: 20 }, () => new Promise<void>((resolve) => {
        const c = net.connect(forwarder.socketPath, () => c.end('HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n', () => { c.destroy(); resolve(); }));
      })));
      const answers = await Promise.all(Array.from({ length: 10 }, () => get(forwarder.socketPath, '/_ping')));
      assert.deepEqual(answers, answers.map(() => ({ status: 200, body: 'OK' })));
      assert.equal(forwarder.upstreamStreamsOpened, 2);
      assert.equal(daemonConnections, 2);
      assert.equal(forwarder.failedConnections, 0);
    } finally {
      await forwarder.stop();
      daemon.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
