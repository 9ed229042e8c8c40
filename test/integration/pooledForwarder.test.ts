/**
 * The pooled (HTTP-aware) forwarder against the real bed: level 3 reached by exec tunnels at
 * every hop (host → L1 → L2 → L3), where each new stream starts `docker system dial-stdio` in
 * three containers. Plain requests share a few kept streams; upgraded and long-lived ones get
 * their own. Counts and contents only, never timings.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { DaemonLevel, LevelForwarder, Levels, POOLED_STREAMS } from '../../src/core';
import { bedChain, newLevels, openBedLevel, psAt } from './testBed';

interface Answer { status: number; body: string }

/** One request on a connection of its own (no agent), like a fresh client. */
function request(socketPath: string, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, agent: false, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function dockerPs(host: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: host };
    for (const k of ['DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) delete env[k];
    const child = spawn('docker', ['ps', '-a', '--no-trunc', '--format', '{{.ID}}'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Opens a raw connection and sends only a request head promising a body: the daemon waits for it. */
function heldRequest(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath, () => {
      s.write('POST /containers/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
      resolve(s);
    });
    s.once('error', reject);
  });
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The IDs the bed's own docker CLI sees at level 3: what every answer must list. */
function level3Ids(): string[] {
  return [...psAt(bedChain(3)).keys()].sort();
}

describe('pooled forwarder over exec tunnels at every hop (integration)', () => {
  let levels: Levels;
  let level3: DaemonLevel;

  before(async () => {
    levels = newLevels({ transportOrder: ['tunnel'], timeoutMs: 30_000 });
    level3 = await openBedLevel(levels, 3);
    assert.equal(level3.transport.kind, 'tunnel');
    assert.equal(level3.parent?.transport.kind, 'tunnel');
    assert.equal(level3.parent?.parent?.transport.kind, 'tunnel');
  });

  after(() => levels?.dispose());

  it('50 parallel requests, each on its own client connection, all answered with level 3\'s containers over a few streams', async () => {
    const forwarder = await LevelForwarder.start(level3);
    try {
      assert.equal(forwarder.pooled, true);
      const expected = level3Ids();
      const answers = await Promise.all(Array.from({ length: 50 }, () => request(forwarder.socketPath, 'GET', '/containers/json?all=1')));
      for (const a of answers) {
        assert.equal(a.status, 200, a.body);
        const ids = (JSON.parse(a.body) as { Id: string }[]).map((c) => c.Id).sort();
        // Other suites may add containers at level 3 meanwhile; the bed's own are always there.
        for (const id of expected) assert.ok(ids.includes(id), `${id} missing from an answer`);
      }
      assert.equal(forwarder.totalConnections, 50);
      assert.equal(forwarder.failedConnections, 0);
      // The kept ones, plus the spare behind the one taken: never one per client.
      assert.ok(forwarder.upstreamStreamsOpened <= POOLED_STREAMS + 1, `${forwarder.upstreamStreamsOpened} streams opened`);
      await until('every client connection to close', () => forwarder.activeConnections === 0);
    } finally {
      await forwarder.stop();
    }
  });

  it('50 parallel docker ps with the docker CLI all succeed, while event streams hold streams of their own', async () => {
    const forwarder = await LevelForwarder.start(level3);
    const events: http.ClientRequest[] = [];
    try {
      // More long-lived streams than there are kept ones: none may take a kept one.
      const heads = await Promise.all(Array.from({ length: POOLED_STREAMS + 2 }, () => new Promise<number>((resolve, reject) => {
        const req = http.get({ socketPath: forwarder.socketPath, path: '/events', agent: false }, (res) => resolve(res.statusCode ?? 0));
        req.on('error', reject);
        events.push(req);
      })));
      assert.deepEqual(heads, heads.map(() => 200));
      const withEvents = forwarder.upstreamStreamsOpened;
      const expected = level3Ids();
      const results = await Promise.all(Array.from({ length: 50 }, () => dockerPs(forwarder.dockerHost)));
      for (const r of results) {
        assert.equal(r.code, 0, r.stderr);
        const ids = r.stdout.trim().split('\n');
        for (const id of expected) assert.ok(ids.includes(id), `${id} missing: ${r.stdout}`);
      }
      assert.equal(forwarder.failedConnections, 0);
      assert.ok(forwarder.upstreamStreamsOpened - withEvents <= POOLED_STREAMS + 1,
        `${forwarder.upstreamStreamsOpened - withEvents} streams opened for 50 docker ps`);
    } finally {
      for (const e of events) e.destroy();
      await forwarder.stop();
    }
  });

  it('a full queue is refused at once with a 503 the docker CLI prints; the held requests are still answered', async () => {
    const forwarder = await LevelForwarder.start(level3, { pool: { streams: 1, waiting: 1 } });
    const held: net.Socket[] = [];
    try {
      // Two requests whose bodies never come: one holds the only kept stream, one waits for it.
      held.push(await heldRequest(forwarder.socketPath), await heldRequest(forwarder.socketPath));
      await until('both held requests to be admitted', () => forwarder.requestsInFlight === 2);
      const refused = await request(forwarder.socketPath, 'GET', '/containers/json');
      assert.equal(refused.status, 503);
      assert.match((JSON.parse(refused.body) as { message: string }).message, /^docker-levels: 2 requests are already waiting for .*level/);
      // The body arrives: the daemon answers the first (a bad body), then the second on the same stream.
      const answers = held.map((s) => new Promise<string>((resolve) => {
        let text = '';
        s.on('data', (c: Buffer) => { text += c.toString(); if (/\r\n\r\n/.test(text) && /^HTTP\/1\.1 (\d{3})/.test(text)) resolve(text.slice(9, 12)); });
      }));
      for (const s of held) s.write('x'.repeat(100));
      const codes = await Promise.all(answers);
      for (const code of codes) assert.match(code, /^[45]\d\d$/, 'the daemon answered the bad body itself');
      await until('the queue to drain', () => forwarder.requestsInFlight === 0);
      const after = await request(forwarder.socketPath, 'GET', '/_ping');
      assert.deepEqual(after, { status: 200, body: 'OK' });
      // One kept stream, plus the spare kept at start: never one per request.
      assert.ok(forwarder.upstreamStreamsOpened <= 2, `${forwarder.upstreamStreamsOpened} streams opened`);
    } finally {
      for (const s of held) s.destroy();
      await forwarder.stop();
    }
  });

  it('kept streams unused for the idle time are closed, and the next request opens one again', async () => {
    const forwarder = await LevelForwarder.start(level3, { pool: { idleMs: 1_000 } });
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => request(forwarder.socketPath, 'GET', '/_ping')));
      assert.deepEqual(answers.map((a) => a.status), Array(8).fill(200));
      const kept = forwarder.keptStreamsOpen;
      assert.ok(kept >= 1 && kept <= POOLED_STREAMS, `${kept} kept streams after the burst`);
      await until('the idle kept streams to close', () => forwarder.keptStreamsOpen === 0);
      // Answered over a kept stream again: the spare taken, or a new one opened.
      assert.deepEqual(await request(forwarder.socketPath, 'GET', '/_ping'), { status: 200, body: 'OK' });
      assert.equal(forwarder.keptStreamsOpen, 1);
      assert.equal(forwarder.failedConnections, 0);
    } finally {
      await forwarder.stop();
    }
  });
});
