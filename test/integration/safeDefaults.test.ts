/**
 * Safe defaults, checked on levels the core starts (never the shared bed):
 *
 *   local daemon ─ dl-fault-sd-auto (defaults: TLS on 127.0.0.1) ─ dl-fault-sd-auto2 (defaults, level 2)
 *                ├ dl-fault-sd-notls (defaults, an image without TLS support)
 *                ├ dl-fault-sd-cli (defaults, started by `docker-levels start-dind`)
 *                └ dl-fault-sd-plain (mode plain, asked for explicitly)
 *
 * What each level listens on is read from inside its own network namespace (/proc/net/tcp),
 * what it publishes from its parent's inspect data, and plain HTTP is tried against every
 * non-loopback listener. TLS keys are looked for on disk and in everything logged.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import {
  DaemonLevel, EventSubscription, Levels, resolveLocalEndpoint, runInContainer, snapshotDaemon, StartedLevel,
} from '../../src/core';
import {
  CapturingLogger, dockerIn, DIND_IMAGE, faultName, openLevelPath, removeAll, runCli, startFaultLevel, waitFor, watched,
} from './faultBed';
import { REPO } from './testBed';

const AUTO = faultName('sd-auto');
const AUTO2 = faultName('sd-auto2');
const NOTLS = faultName('sd-notls');
const CLI_LEVEL = faultName('sd-cli');
const PLAIN = faultName('sd-plain');
/** The test image with its TLS label turned off, as an image without TLS support looks. */
const NOTLS_IMAGE = `docker-levels-test/dind-notls:${process.pid}`;

interface Listener {
  address: string;
  port: number;
  loopback: boolean;
}

/** LISTEN sockets from /proc/net/tcp and tcp6 (addresses are little-endian hex words). */
function parseListeners(procNet: string): Listener[] {
  const out: Listener[] = [];
  for (const line of procNet.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 4 || parts[3] !== '0A' || !/^[0-9A-F]+:[0-9A-F]{4}$/i.test(parts[1])) continue;
    const [hex, portHex] = parts[1].split(':');
    const port = parseInt(portHex, 16);
    const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().map((b) => parseInt(b, 16)));
    if (words.length === 1) {
      const address = words[0].join('.');
      out.push({ address, port, loopback: address.startsWith('127.') });
    } else {
      const bytes = words.flat();
      const v4mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255;
      const address = v4mapped ? `::ffff:${bytes.slice(12).join('.')}`
        : bytes.every((b) => b === 0) ? '::' : bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1 ? '::1' : `[${hex}]`;
      out.push({ address, port, loopback: address === '::1' || address.startsWith('::ffff:127.') });
    }
  }
  return out;
}

/** What a container listens on (in its own namespace) and how its dockerd was started. */
async function listenersOf(parent: DaemonLevel, containerId: string): Promise<{ listeners: Listener[]; dockerd: string }> {
  const net = await runInContainer(parent, containerId, ['cat', '/proc/net/tcp', '/proc/net/tcp6']);
  const cmd = await runInContainer(parent, containerId, ['sh', '-c', 'for p in /proc/[0-9]*; do tr "\\0" " " <$p/cmdline; echo; done | grep "^dockerd " || true']);
  return { listeners: parseListeners(net.stdout), dockerd: cmd.stdout.trim() };
}

/** The publishing a parent daemon did for a container, from its inspect data. */
async function bindingsOf(parent: DaemonLevel, containerId: string): Promise<{ HostIp: string; HostPort: string }[]> {
  const info = await parent.docker.getContainer(containerId).inspect();
  const configured = Object.values(info.HostConfig.PortBindings ?? {}).flat() as { HostIp: string; HostPort: string }[];
  const actual = Object.values(info.NetworkSettings.Ports ?? {}).flat().filter(Boolean) as { HostIp: string; HostPort: string }[];
  return [...configured, ...actual];
}

/** Plain HTTP to ip:port: the status code, or the network error code. */
function plainPing(ip: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: ip, port, path: '/_ping', timeout: 5000, agent: false }, (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** Every non-loopback listener is the TLS daemon port, and dockerd verifies client certificates. */
function assertNoPlaintextListener(what: string, seen: { listeners: Listener[]; dockerd: string }): void {
  const exposed = seen.listeners.filter((l) => !l.loopback);
  assert.ok(exposed.every((l) => l.port === 2376), `${what} listens on a non-loopback address only with TLS on 2376: ${JSON.stringify(exposed)}`);
  if (exposed.length) assert.match(seen.dockerd, /--tlsverify/, `${what}: ${seen.dockerd}`);
  assert.doesNotMatch(seen.dockerd, /tcp:\/\/0\.0\.0\.0:2375|--tls=false.*tcp:|tcp:.*--tls=false/, what);
}

/** A key's base64 lines and a slice of its DER bytes: what would show if it were written or logged. */
function keyFingerprints(pem: string): { lines: string[]; der: Buffer; pem: Buffer } {
  const body = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  const der = Buffer.from(body.join(''), 'base64');
  return { lines: [body[0], body[Math.floor(body.length / 2)], body.join('')], der: der.subarray(64, 112), pem: Buffer.from(pem) };
}

function containsKey(text: string | Buffer, key: { lines: string[]; der: Buffer }): boolean {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  return key.lines.some((l) => buf.includes(l)) || buf.includes(key.der);
}

/** Regular files under `roots` changed since `since`, small enough to be key files or logs. */
function filesChangedSince(roots: string[], since: number, skip: RegExp): string[] {
  const found: string[] = [];
  let visited = 0;
  // The cap is per root: a large home directory must not hide the temp dir or the repo.
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (++visited > 300_000) return;
      const p = path.join(dir, e.name);
      if (skip.test(p)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          const st = fs.statSync(p);
          if (st.mtimeMs >= since && st.size <= 8 << 20) found.push(p);
        } catch { /* gone */ }
      }
    }
  };
  for (const r of roots) {
    visited = 0;
    walk(r);
  }
  return found;
}

describe('safe defaults of the levels the core starts (integration)', function () {
  this.timeout(300_000);
  const started = new Map<string, StartedLevel>();
  const startLog = new CapturingLogger();
  let since = 0;
  let cliStderr = '';

  before(async function () {
    this.timeout(600_000);
    since = Date.now() - 2000;
    const id = dockerIn([], ['create', DIND_IMAGE]).trim();
    try {
      dockerIn([], ['commit', '--change', 'LABEL docker-levels.dind=false', id, NOTLS_IMAGE]);
    } finally {
      dockerIn([], ['rm', '-v', id]);
    }
    const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000, log: startLog });
    try {
      const root = levels.roots()[0];
      const [auto, notls, plain] = await Promise.all([
        startFaultLevel(levels, root, 'sd-auto'),
        startFaultLevel(levels, root, 'sd-notls', { image: NOTLS_IMAGE }),
        startFaultLevel(levels, root, 'sd-plain', { mode: 'plain' }),
      ]);
      started.set(AUTO, auto).set(NOTLS, notls).set(PLAIN, plain);
      started.set(AUTO2, await startFaultLevel(levels, auto.level, 'sd-auto2'));
    } finally {
      levels.dispose();
    }
    const r = runCli(['start-dind', '--image', DIND_IMAGE, '--name', CLI_LEVEL, '--no-pull']);
    assert.equal(r.code, 0, r.stderr);
    cliStderr = r.stderr;
  });

  after(async function () {
    this.timeout(120_000);
    await removeAll([AUTO, NOTLS, PLAIN, CLI_LEVEL]);
    try { dockerIn([], ['rmi', NOTLS_IMAGE]); } catch { /* not made */ }
  });

  it('with the defaults, a level uses TLS where the image supports it, publishes on 127.0.0.1 only, and has no plaintext listener on a non-loopback address', () => watched(async (levels) => {
    const root = levels.roots()[0];
    assert.equal(started.get(AUTO)!.mode, 'tls');
    assert.equal(started.get(AUTO2)!.mode, 'tls');
    assert.match(cliStderr, /level ready in \d+ ms \(tls, /, 'the CLI starts the same way');
    const auto = await openLevelPath(levels, [AUTO]);
    assert.equal(auto.transport.kind, 'tls');

    for (const name of [AUTO, CLI_LEVEL]) {
      const id = dockerIn([], ['inspect', '-f', '{{.Id}}', name]).trim();
      const bindings = await bindingsOf(root, id);
      assert.ok(bindings.length > 0 && bindings.every((b) => b.HostIp === '127.0.0.1'), `${name} publishes on 127.0.0.1 only: ${JSON.stringify(bindings)}`);
      const seen = await listenersOf(root, id);
      assertNoPlaintextListener(name, seen);
      // From this machine, its own address: plain HTTP is refused by the TLS port, nothing else listens.
      const ip = dockerIn([], ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name]).trim();
      assert.equal(await plainPing(ip, 2376), '400', `${name}:2376 answers plain HTTP with 400`);
      assert.equal(await plainPing(ip, 2375), 'ECONNREFUSED', `${name}:2375 has no listener`);
    }

    // TLS without a client certificate is refused: the daemon verifies clients, not only encrypts.
    const port = Number(dockerIn([], ['port', AUTO, '2376/tcp']).trim().split('\n')[0].split(':').pop());
    const ca = dockerIn([], ['exec', AUTO, 'cat', '/certs/client/ca.pem']);
    const anonymous = await new Promise<string>((resolve) => {
      const req = https.get({ host: '127.0.0.1', port, path: '/_ping', ca, checkServerIdentity: () => undefined, agent: false, timeout: 5000 }, (res) => {
        res.resume();
        resolve(String(res.statusCode));
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    assert.notEqual(anonymous, '200', 'no answer without a client certificate');

    // Level 2: not published at all, reached through the tunnel, TLS inside, and plain HTTP from its parent's namespace fails.
    const autoId = dockerIn([], ['inspect', '-f', '{{.Id}}', AUTO]).trim();
    const auto2 = await openLevelPath(levels, [AUTO, AUTO2]);
    assert.equal(auto2.transport.kind, 'tunnel');
    const id2 = auto2.container!.id;
    assert.deepEqual(await bindingsOf(auto, id2), [], 'level 2 publishes nothing');
    assertNoPlaintextListener(AUTO2, await listenersOf(auto, id2));
    const ip2 = dockerIn([AUTO], ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', AUTO2]).trim();
    const fromParent = await runInContainer(root, autoId, ['sh', '-c', `printf 'GET /_ping HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${ip2} 2376`]);
    assert.match(fromParent.stdout, /^HTTP\/1\.0 400 Bad Request/, `plain HTTP to level 2 from its parent: ${fromParent.stdout}`);
    assert.match(fromParent.stdout, /Client sent an HTTP request to an HTTPS server/);
  }));

  it('an image without TLS support gets no TCP listener at all: it is reached through the exec tunnel only', () => watched(async (levels) => {
    const root = levels.roots()[0];
    assert.equal(started.get(NOTLS)!.mode, 'tunnel');
    const level = await openLevelPath(levels, [NOTLS]);
    assert.equal(level.transport.kind, 'tunnel');
    assert.deepEqual(await bindingsOf(root, level.container!.id), []);
    const seen = await listenersOf(root, level.container!.id);
    assert.deepEqual(seen.listeners.filter((l) => !l.loopback), [], `no non-loopback listener: ${JSON.stringify(seen.listeners)}`);
    assert.doesNotMatch(seen.dockerd, /tcp:\/\//);
  }));

  it('plaintext only when asked for (mode plain): published on 127.0.0.1 only, and the core warns that it listens in plaintext on the container\'s own address', () => watched(async (levels) => {
    const root = levels.roots()[0];
    const plain = started.get(PLAIN)!;
    assert.equal(plain.mode, 'plain');
    const bindings = await bindingsOf(root, plain.containerId);
    assert.ok(bindings.length > 0 && bindings.every((b) => b.HostIp === '127.0.0.1'), JSON.stringify(bindings));
    const seen = await listenersOf(root, plain.containerId);
    // What "plain" means, seen for real: the daemon listens on 0.0.0.0:2375 inside its namespace.
    assert.ok(seen.listeners.some((l) => !l.loopback && l.port === 2375), JSON.stringify(seen.listeners));
    assert.match(startLog.text, new RegExp(`warn \\[levels\\] ${PLAIN} listens in plaintext on 2375`));
    const r = runCli(['start-dind', '--image', DIND_IMAGE, '--name', faultName('sd-plain-cli'), '--no-pull', '--mode', 'plain']);
    try {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^warn .*listens in plaintext on 2375.*without TLS/m);
    } finally {
      await removeAll([faultName('sd-plain-cli')]);
    }
  }));

  it('TLS keys read from a container are never written to disk and never logged, at trace level or with DEBUG=modem', () => watched(async () => {
    const key = keyFingerprints(dockerIn([], ['exec', AUTO, 'cat', '/certs/client/key.pem']));
    assert.ok(key.lines[0].length >= 60 && key.der.length === 48);
    // Everything the core logs, trace included, while it reads the key and talks TLS.
    const log = new CapturingLogger();
    const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 10_000, transportOrder: ['tls'], log });
    let record = '';
    try {
      const level = await openLevelPath(levels, [AUTO]);
      assert.equal(level.transport.kind, 'tls');
      const sub = new EventSubscription(level, { onEvent: () => undefined, log });
      try {
        await waitFor(() => sub.state === 'live', 30_000, 'events over TLS');
        const snap = await snapshotDaemon(levels, levels.roots()[0], { depth: 1 });
        record += JSON.stringify(snap) + inspect(level.transport, { depth: null }) + level.what + JSON.stringify(level.root);
        await level.info();
        // A failing call logs and throws too: make one.
        await level.call('Inspecting a missing container', (s) => level.docker.getContainer('dl-fault-none').inspect({ abortSignal: s })).catch((e: Error) => { record += `${e.message}\n${inspect(e, { depth: 4 })}`; });
      } finally {
        sub.dispose();
      }
    } finally {
      levels.dispose();
    }
    assert.match(log.text, /reached .* by tls/);
    assert.ok(!containsKey(log.text, key), 'the key is not in what the core logged');
    assert.ok(!containsKey(record, key), 'the key is not in snapshots, transports, messages or errors');

    // The CLI, verbose and with docker-modem's own debug output on.
    const r = runCli(['tree', '--json', '--transport', 'tls', '--depth', '1', '--timeout', '10000', '-v'], { DEBUG: 'modem' });
    const tree = JSON.parse(r.stdout) as { daemons: { containers: { name: string; level: { transport: string } | null }[] }[] };
    assert.match(tree.daemons[0].containers.find((c) => c.name === AUTO)?.level?.transport ?? '', /^tls /, 'the CLI reached it over TLS');
    assert.match(r.stderr, /modem Sending/, 'docker-modem\'s debug output is on');
    assert.ok(!containsKey(r.stdout + r.stderr, key), 'the key is not in the CLI\'s output, even with DEBUG=modem');
    // Not even the start of it: util.inspect shows a Buffer's first 50 bytes, header and all.
    assert.ok(!(r.stdout + r.stderr).includes(inspect(key.pem).slice(0, 60)), 'the key is never handed to a formatter');

    // Disk: every file changed since this suite began, in the temp dirs, the repo and the home dir.
    // Canaries written now prove the walk reaches the temp dir and the repo in this window.
    const canaries = [path.join(os.tmpdir(), `dl-walk-canary-${process.pid}`), path.join(REPO, 'test-results', `dl-walk-canary-${process.pid}`)];
    for (const c of canaries) { fs.mkdirSync(path.dirname(c), { recursive: true }); fs.writeFileSync(c, 'canary'); }
    let files: string[];
    try {
      files = filesChangedSince([os.tmpdir(), REPO, os.homedir()], since,
        /\/node_modules(\/|$)|\/\.git(\/|$)|\/\.npm(\/|$)|\/\.cache(\/|$)|^\/proc|dl-fault-dockerd-|\/(data|exec)\/(overlay2|containerd|image)\//);
    } finally {
      for (const c of canaries) fs.rmSync(c, { force: true });
    }
    for (const c of canaries) assert.ok(files.includes(c), `the walk reached ${c}`);
    const holding = files.filter((f) => { try { return containsKey(fs.readFileSync(f), key); } catch { return false; } });
    assert.deepEqual(holding, [], 'no file holds the key');
  }));
});
