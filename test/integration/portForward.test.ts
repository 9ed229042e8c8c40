/**
 * Port forwarding at depth 3 of the real bed: HTTP from busybox httpd in a leaf, the same from
 * a container with no tools at all (an image of one renamed static busybox, no shell), plain
 * TCP, parallel connections, each fault, and the CLI. Containers are named dl-ports-*.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DaemonLevel, DockerLevelsError, Levels, PortForward } from '../../src/core';
import { bedChain, cli, dockerAt, newLevels, openBedLevel, REPO } from './testBed';
import { waitFor } from '../support/waitFor';

const HTTP = 'dl-ports-http';
const NO_TOOLS = 'dl-ports-notools';
const NO_TOOLS_IMAGE = 'dl-ports-notools:test';
const STOPPED = 'dl-ports-stopped';
const VICTIM = 'dl-ports-victim';
const PAGE = 'ports-page-from-depth-3';
const BARE_PAGE = 'bare-page-without-tools';
const L3 = 'dl-bed-l1/dl-bed-l2/dl-bed-l3';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Sends `payload` on a plain TCP connection and reads the same number of bytes back. */
function echo(address: string, payload: Buffer): Promise<Buffer> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const s = net.connect({ host, port: Number(port) }, () => s.write(payload));
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      n += c.length;
      if (n >= payload.length) { s.destroy(); resolve(Buffer.concat(chunks)); }
    });
    s.on('error', reject);
    s.on('close', () => { if (n < payload.length) reject(new Error(`closed after ${n} bytes`)); });
  });
}

function idAt(chain: string[], name: string): string {
  return dockerAt(chain, ['inspect', '--format', '{{.Id}}', name]).trim();
}

/** socat/nc relay processes in the dind container of level 3 (as its own /proc shows them), and idle spare relays. */
function relaysInL3(): { relays: number; spares: number } {
  // Whole command lines from /proc (ps would cut a relay's long script short).
  const lines = dockerAt(bedChain(2), ['exec', 'dl-bed-l3', 'sh', '-c', 'for f in /proc/[0-9]*/cmdline; do tr "\\000" " " < "$f" 2>/dev/null; echo; done'])
    .split('\n').map((l) => l.trim());
  // It also sees the processes of its own containers (the echo server's `nc -ll`): only relays count.
  return {
    relays: lines.filter((l) => /^socat .* TCP:|^nc \d+\.\d+\.\d+\.\d+ \d+$/.test(l)).length,
    // A spare is the relay's shell, waiting for its connection: its arguments end in "wait".
    spares: lines.filter((l) => /docker-levels-relay \d+\.\d+\.\d+\.\d+ \d+ wait$/.test(l)).length,
  };
}

describe('port forwarding (integration, depth 3)', function () {
  this.timeout(180_000);
  let levels: Levels;
  let l3: DaemonLevel;
  let chain: string[] = [];
  const forwards: PortForward[] = [];
  const start = async (name: string, port: number, localPort?: number) => {
    const f = await PortForward.start({ daemon: l3, containerId: idAt(chain, name), port, localPort });
    forwards.push(f);
    return f;
  };

  const cleanup = () => {
    spawnSync('docker', [...chain.flatMap((c) => ['exec', '-i', c, 'docker']), 'rm', '-f', HTTP, NO_TOOLS, STOPPED, VICTIM], { encoding: 'utf8' });
    spawnSync('docker', [...chain.flatMap((c) => ['exec', '-i', c, 'docker']), 'rmi', '-f', NO_TOOLS_IMAGE], { encoding: 'utf8' });
  };

  before(async () => {
    chain = bedChain(3);
    cleanup();
    const serve = `mkdir -p /www && echo ${PAGE} > /www/index.html && head -c 1048576 /dev/zero > /www/big && `
      + '(nc -ll -p 7000 -e cat &) && exec httpd -f -p 80 -h /www';
    dockerAt(chain, ['run', '-d', '--name', HTTP, '--expose', '9999', '--expose', '5353/udp', 'docker-levels-test/leaf:latest', 'sh', '-c', serve]);
    dockerAt(chain, ['create', '--name', STOPPED, '--expose', '80', 'docker-levels-test/leaf:latest']);
    // An image with no shell and no tools: one static busybox under a name that is no applet.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-ports-'));
    fs.mkdirSync(path.join(root, 'opt'));
    fs.mkdirSync(path.join(root, 'www'));
    fs.copyFileSync('/usr/bin/busybox', path.join(root, 'opt', 'busybox-srv'));
    fs.chmodSync(path.join(root, 'opt', 'busybox-srv'), 0o755);
    fs.writeFileSync(path.join(root, 'www', 'index.html'), `${BARE_PAGE}\n`);
    const tar = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 << 20 });
    fs.rmSync(root, { recursive: true, force: true });
    dockerAt(chain, ['import', '--change', 'ENTRYPOINT ["/opt/busybox-srv","httpd","-f","-p","8081","-h","/www"]', '-', NO_TOOLS_IMAGE], tar.stdout);
    dockerAt(chain, ['run', '-d', '--name', NO_TOOLS, NO_TOOLS_IMAGE]);
    levels = newLevels();
    l3 = await openBedLevel(levels, 3);
  });

  afterEach(async () => {
    await Promise.all(forwards.splice(0).map((f) => f.stop()));
  });

  after(() => {
    levels?.dispose();
    cleanup();
  });

  it('serves an HTTP page of a leaf at depth 3 on 127.0.0.1 only', async () => {
    const f = await start(HTTP, 80);
    assert.match(f.address, /^127\.0\.0\.1:\d+$/);
    const page = await get(f.url);
    assert.equal(page.status, 200);
    assert.equal(page.body.trim(), PAGE);
    const big = await get(`${f.url}big`);
    assert.equal(big.body.length, 1048576);
  });

  it('reaches a container that has no tools at all', async () => {
    const noShell = spawnSync('docker', [...chain.flatMap((c) => ['exec', '-i', c, 'docker']), 'exec', NO_TOOLS, 'sh', '-c', 'true'], { encoding: 'utf8' });
    assert.notEqual(noShell.status, 0, 'the target must have no shell');
    const f = await start(NO_TOOLS, 8081);
    const page = await get(f.url);
    assert.equal(page.body.trim(), BARE_PAGE);
  });

  it('carries 30 parallel HTTP connections and plain TCP, byte for byte', async () => {
    const f = await start(HTTP, 80);
    const pages = await Promise.all(Array.from({ length: 30 }, () => get(f.url)));
    assert.equal(pages.filter((p) => p.status === 200 && p.body.trim() === PAGE).length, 30);
    const tcp = await start(HTTP, 7000);
    const payload = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
    assert.ok((await echo(tcp.address, payload)).equals(payload));
    assert.equal(f.failedConnections, 0);
  });

  it('leaves no relay running in the dind container after the forward stops', async () => {
    const f = await start(HTTP, 7000);
    const held = net.connect({ host: '127.0.0.1', port: f.localPort });
    await new Promise((r) => held.once('connect', r));
    await waitFor(() => relaysInL3().relays > 0, 20_000, 'a relay to run', 250, false);
    // One spare waits for the next connection, never more.
    await waitFor(() => relaysInL3().spares === 1, 20_000, 'one spare relay', 250, false);
    const closed = new Promise((r) => held.once('close', r));
    await f.stop();
    await closed;
    assert.equal(f.activeConnections, 0);
    await waitFor(() => { const n = relaysInL3(); return n.relays === 0 && n.spares === 0; }, 20_000, 'no relay and no spare left in dl-bed-l3', 250, false);
  });

  it('says on the first connection that nothing listens on an exposed port', async () => {
    const f = await start(HTTP, 9999);
    const failure = new Promise<DockerLevelsError>((r) => f.onDidFailConnection(r));
    await get(f.url).catch(() => undefined);
    assert.match((await failure).message, /Nothing listens on port 9999 of container dl-ports-http/);
    assert.equal(f.state, 'serving');
  });

  it('refuses a port the container neither exposes nor listens on, and a stopped container, leaving nothing', async () => {
    await assert.rejects(start(HTTP, 81), /does not expose port 81\/tcp and nothing listens on it/);
    await assert.rejects(start(STOPPED, 80), /Container dl-ports-stopped is created/);
  });

  it('refuses a UDP port by name, in core and CLI (exit 2 for a UDP spec, 1 for a port the container has only as UDP)', async () => {
    await assert.rejects(start(HTTP, 5353), (err: DockerLevelsError) => err.kind === 'notFound'
      && err.message === 'Port 5353/udp of container dl-ports-http: UDP ports cannot be forwarded yet.');
    const spec = cli(['port-forward', `${L3}/${HTTP}`, '5353/udp']);
    assert.equal(spec.code, 2, spec.stderr);
    assert.match(spec.stderr, /Port 5353\/udp: UDP ports cannot be forwarded yet\./);
    const onlyUdp = cli(['port-forward', `${L3}/${HTTP}`, '5353']);
    assert.equal(onlyUdp.code, 1, onlyUdp.stderr);
    assert.equal(onlyUdp.stdout, '');
    assert.match(onlyUdp.stderr, /Port 5353\/udp of container dl-ports-http: UDP ports cannot be forwarded yet\./);
  });

  it('refuses a local port already in use', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      await assert.rejects(start(HTTP, 80, port), (err: DockerLevelsError) => err.kind === 'conflict' && /Local port \d+ is already in use/.test(err.message));
    } finally {
      busy.close();
    }
  });

  it('stops when its container stops', async () => {
    dockerAt(chain, ['run', '-d', '--name', VICTIM, 'docker-levels-test/leaf:latest', 'sh', '-c', `mkdir -p /w && echo v > /w/index.html && exec httpd -f -p 80 -h /w`]);
    const f = await start(VICTIM, 80);
    assert.equal((await get(f.url)).body.trim(), 'v');
    const stopped = new Promise((r) => f.onDidStop(r));
    dockerAt(chain, ['rm', '-f', VICTIM]);
    await stopped;
    assert.match(f.stopReason?.message ?? '', /stopped|was removed/);
    await assert.rejects(get(f.url), /ECONNREFUSED/);
  });

  it('stops, closing open connections, when its level goes', async () => {
    const own = newLevels();
    try {
      const level = await openBedLevel(own, 3);
      const f = await PortForward.start({ daemon: level, containerId: idAt(chain, HTTP), port: 7000 });
      forwards.push(f);
      const held = net.connect({ host: '127.0.0.1', port: f.localPort });
      await new Promise((r) => held.once('connect', r));
      assert.ok((await echoOn(held, Buffer.from('ping'))).equals(Buffer.from('ping')));
      const closed = new Promise((r) => held.once('close', r));
      own.close(level.parent!.id);
      await closed;
      assert.equal(f.state, 'stopped');
      assert.match(f.stopReason?.message ?? '', /was closed/);
    } finally {
      own.dispose();
    }
  });

  it('CLI: prints 127.0.0.1:N first, serves until SIGTERM, exit 1/2 on a missing container or bad input', async () => {
    const child = spawn(process.execPath, [path.join(REPO, 'out', 'cli.js'), 'port-forward', `${L3}/${HTTP}`, '80'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const first = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('\n')) resolve(out.split('\n')[0]); });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    assert.match(first, /^127\.0\.0\.1:\d+$/);
    assert.equal((await get(`http://${first}/`)).body.trim(), PAGE);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    await assert.rejects(get(`http://${first}/`), /ECONNREFUSED/);
    const missing = cli(['port-forward', `${L3}/dl-ports-nothing`, '80']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No container "dl-ports-nothing"/);
    const closedPort = cli(['port-forward', `${L3}/${HTTP}`, '81']);
    assert.equal(closedPort.code, 1);
    assert.match(closedPort.stderr, /nothing listens on it/);
    for (const bad of [['port-forward', `${L3}/${HTTP}`, 'http'], ['port-forward', `${L3}/${HTTP}`, '70000'], ['port-forward', `${L3}/${HTTP}`]]) {
      const r = cli(bad);
      assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
  });
});

function echoOn(socket: net.Socket, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    const onData = (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (got.length >= payload.length) { socket.off('data', onData); resolve(got); }
    };
    socket.on('data', onData);
    socket.write(payload);
  });
}
