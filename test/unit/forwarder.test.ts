import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import {
  DockerLevelsError, ForwardTarget, LevelForwarder, LevelForwarders, Listeners, openConnectionStream,
} from '../../src/core';
import { waitFor } from '../support/waitFor';

/** A stand-in daemon on a unix socket; `handle` decides what each connection does. */
class FakeDaemon {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-fake-'));
  readonly socketPath = path.join(this.dir, 'd.sock');
  readonly server: net.Server;
  readonly open = new Set<net.Socket>();
  accepted = 0;

  constructor(handle: (socket: net.Socket) => void) {
    this.server = net.createServer({ allowHalfOpen: true }, (s) => {
      this.accepted++;
      this.open.add(s);
      s.once('close', () => this.open.delete(s));
      s.on('error', () => undefined);
      handle(s);
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(this.socketPath, resolve));
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A ForwardTarget over the fake daemon, counting opens and able to fail or be disposed. */
class FakeTarget implements ForwardTarget {
  readonly id = 'root/abc';
  readonly what = 'level fake';
  failWith: Error | undefined;
  delayMs = 0;
  opened = 0;
  readonly signals: AbortSignal[] = [];
  private readonly disposeListeners = new Listeners<void>();

  constructor(private readonly daemon: FakeDaemon) {}

  async openRawStream(signal?: AbortSignal): Promise<Duplex> {
    if (signal) this.signals.push(signal);
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failWith) throw this.failWith;
    this.opened++;
    return openConnectionStream({ kind: 'unix', socketPath: this.daemon.socketPath }, 1000, signal);
  }

  onDidDispose(listener: () => void) {
    return this.disposeListeners.add(listener);
  }

  dispose(): void {
    this.disposeListeners.fire();
  }
}

function connect(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ path: socketPath, allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
  });
}

function readAll(s: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => { text += c; });
    s.once('end', () => resolve(text));
    s.once('error', reject);
  });
}

function nextData(s: net.Socket): Promise<string> {
  return new Promise((resolve) => s.once('data', (c: Buffer) => resolve(c.toString())));
}

/** Replies, once the client's input has ended, with that input in upper case, then closes. */
const upperCaseAfterEnd = (s: net.Socket) => {
  let got = '';
  s.on('data', (c: Buffer) => { got += c.toString(); });
  s.once('end', () => s.end(got.toUpperCase()));
};

/** Writes a tick every 10 ms until the client goes away. */
const ticker = (s: net.Socket) => {
  let n = 0;
  const timer = setInterval(() => s.write(`tick ${n++}\n`), 10);
  s.once('close', () => clearInterval(timer));
  s.resume();
};

describe('level forwarder (unit)', () => {
  let daemon: FakeDaemon;
  let forwarder: LevelForwarder | undefined;

  afterEach(async () => {
    await forwarder?.stop();
    forwarder = undefined;
    await daemon?.close();
  });

  it('listens on a 0600 socket in a fresh 0700 directory and removes both on stop', async () => {
    daemon = await new FakeDaemon(upperCaseAfterEnd).listen();
    forwarder = await LevelForwarder.start(new FakeTarget(daemon));
    const sock = forwarder.socketPath;
    assert.equal(forwarder.dockerHost, `unix://${sock}`);
    assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
    assert.ok(fs.statSync(sock).isSocket());
    assert.equal(fs.statSync(path.dirname(sock)).mode & 0o777, 0o700);
    await forwarder.stop();
    assert.equal(fs.existsSync(sock), false);
    assert.equal(fs.existsSync(path.dirname(sock)), false);
    assert.equal(forwarder.state, 'stopped');
  });

  it('passes bytes both ways and a half-close on: the answer comes after the client\'s end of input', async () => {
    daemon = await new FakeDaemon(upperCaseAfterEnd).listen();
    forwarder = await LevelForwarder.start(new FakeTarget(daemon));
    const client = await connect(forwarder.socketPath);
    const answer = readAll(client);
    client.write('hello ');
    client.end('world');
    assert.equal(await answer, 'HELLO WORLD');
    await waitFor(() => forwarder!.activeConnections === 0, 2000, 'the pair to close', 10, false);
  });

  it('serves many connections at once, each to its own daemon stream', async () => {
    daemon = await new FakeDaemon(upperCaseAfterEnd).listen();
    const target = new FakeTarget(daemon);
    forwarder = await LevelForwarder.start(target);
    const changes: number[] = [];
    forwarder.onDidChange((f) => changes.push(f.activeConnections));
    const answers = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const c = await connect(forwarder!.socketPath);
      const answer = readAll(c);
      c.end(`client ${i}`);
      return answer;
    }));
    assert.deepEqual(answers, Array.from({ length: 40 }, (_, i) => `CLIENT ${i}`));
    await waitFor(() => forwarder!.activeConnections === 0, 2000, 'all pairs to close', 10, false);
    assert.equal(target.opened, 40);
    assert.equal(forwarder.totalConnections, 40);
    assert.ok(Math.max(...changes) > 1, 'connections overlapped');
    assert.equal(changes.at(-1), 0);
  });

  it('a client that dies mid-stream closes only its own pair', async () => {
    daemon = await new FakeDaemon(ticker).listen();
    forwarder = await LevelForwarder.start(new FakeTarget(daemon));
    const a = await connect(forwarder.socketPath);
    const b = await connect(forwarder.socketPath);
    a.write('go');
    b.write('go');
    await Promise.all([nextData(a), nextData(b)]);
    a.destroy();
    await waitFor(() => daemon.open.size === 1, 2000, 'the dead client\'s daemon stream to close', 10, false);
    assert.equal(forwarder.activeConnections, 1);
    assert.match(await nextData(b), /tick \d+/);
    const c = await connect(forwarder.socketPath);
    c.write('go');
    assert.match(await nextData(c), /tick 0/);
    b.destroy();
    c.destroy();
    await waitFor(() => forwarder!.activeConnections === 0 && daemon.open.size === 0, 2000, 'every pair to close', 10, false);
  });

  it('the daemon closing first ends the client, which then closes', async () => {
    daemon = await new FakeDaemon((s) => s.end('bye')).listen();
    forwarder = await LevelForwarder.start(new FakeTarget(daemon));
    const client = await connect(forwarder.socketPath);
    client.write('hi');
    assert.equal(await readAll(client), 'bye');
    client.end();
    await waitFor(() => forwarder!.activeConnections === 0, 2000, 'the pair to close', 10, false);
  });

  it('opens no daemon stream for a client that hangs up without a word (a liveness probe)', async () => {
    daemon = await new FakeDaemon(upperCaseAfterEnd).listen();
    const target = new FakeTarget(daemon);
    forwarder = await LevelForwarder.start(target);
    const probe = await connect(forwarder.socketPath);
    probe.end();
    await new Promise((resolve) => probe.once('close', resolve));
    await waitFor(() => forwarder!.activeConnections === 0, 2000, 'the probe to be closed', 10, false);
    assert.equal(target.opened, 0);
    assert.equal(daemon.accepted, 0);
    assert.equal(forwarder.totalConnections, 1);
  });

  it('answers 502 with the reason when the daemon cannot be reached, and keeps serving', async () => {
    daemon = await new FakeDaemon(upperCaseAfterEnd).listen();
    const target = new FakeTarget(daemon);
    forwarder = await LevelForwarder.start(target);
    target.failWith = new DockerLevelsError('unreachable', 'Cannot reach level fake.', 'Is it running?');
    const client = await connect(forwarder.socketPath);
    const reply = readAll(client);
    client.write('GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n');
    const text = await reply;
    assert.match(text, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
    const body = JSON.parse(text.split('\r\n\r\n')[1]) as { message: string };
    assert.equal(body.message, 'docker-levels: Cannot reach level fake. Is it running?');
    assert.equal(forwarder.failedConnections, 1);
    target.failWith = undefined;
    const ok = await connect(forwarder.socketPath);
    const answer = readAll(ok);
    ok.end('again');
    assert.equal(await answer, 'AGAIN');
  });

  it('stop closes live connections and cancels daemon streams still opening', async () => {
    daemon = await new FakeDaemon(ticker).listen();
    const target = new FakeTarget(daemon);
    forwarder = await LevelForwarder.start(target);
    const live = await connect(forwarder.socketPath);
    live.write('go');
    await nextData(live);
    target.delayMs = 200;
    const pending = await connect(forwarder.socketPath);
    pending.write('go');
    await waitFor(() => forwarder!.activeConnections === 2, 2000, 'the second connection to be counted', 10, false);
    // Half-open clients: the forwarder's side closing shows as the end of their input.
    const closed = Promise.all([live, pending].map((s) => new Promise((resolve) => { s.once('end', resolve); s.once('error', resolve); s.resume(); })));
    await forwarder.stop();
    await closed;
    assert.equal(forwarder.activeConnections, 0);
    assert.ok(target.signals.at(-1)!.aborted, 'the pending open was cancelled');
    await waitFor(() => daemon.open.size === 0, 2000, 'the daemon side to close', 10, false);
    await assert.rejects(connect(forwarder.socketPath));
    live.destroy();
    pending.destroy();
  });

  it('stops by itself when its level is closed', async () => {
    daemon = await new FakeDaemon(upperCaseAfterEnd).listen();
    const target = new FakeTarget(daemon);
    forwarder = await LevelForwarder.start(target);
    const stopped = new Promise((resolve) => forwarder!.onDidStop(resolve));
    target.dispose();
    await stopped;
    assert.equal(fs.existsSync(forwarder.socketPath), false);
  });

  describe('--socket FILE', () => {
    let dir: string;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-sock-')); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('binds there with mode 0600, leaves no staging directory, and removes only its own socket', async () => {
      fs.chmodSync(dir, 0o777);
      daemon = await new FakeDaemon(upperCaseAfterEnd).listen();
      const sock = path.join(dir, 'level3.sock');
      forwarder = await LevelForwarder.start(new FakeTarget(daemon), { socketPath: sock });
      assert.equal(forwarder.socketPath, sock);
      assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
      assert.deepEqual(fs.readdirSync(dir), ['level3.sock']);
      const c = await connect(sock);
      const answer = readAll(c);
      c.end('x');
      assert.equal(await answer, 'X');
      await forwarder.stop();
      assert.deepEqual(fs.readdirSync(dir), []);
    });

    it('replaces a stale socket, refuses a live one and any other file', async () => {
      daemon = await new FakeDaemon(upperCaseAfterEnd).listen();
      const stale = path.join(dir, 'stale.sock');
      const leftover = net.createServer();
      await new Promise<void>((resolve) => leftover.listen(stale, resolve));
      // Simulate a process killed without cleanup: the file stays, nobody listens.
      const staleIno = fs.statSync(stale).ino;
      fs.renameSync(stale, `${stale}.keep`);
      await new Promise((resolve) => leftover.close(resolve));
      fs.renameSync(`${stale}.keep`, stale);
      assert.equal(fs.statSync(stale).ino, staleIno);
      forwarder = await LevelForwarder.start(new FakeTarget(daemon), { socketPath: stale });
      assert.notEqual(fs.statSync(stale).ino, staleIno);

      await assert.rejects(LevelForwarder.start(new FakeTarget(daemon), { socketPath: stale }),
        (e: unknown) => e instanceof DockerLevelsError && e.kind === 'conflict' && /already listens/.test(e.message));
      const file = path.join(dir, 'plain');
      fs.writeFileSync(file, 'x');
      await assert.rejects(LevelForwarder.start(new FakeTarget(daemon), { socketPath: file }),
        (e: unknown) => e instanceof DockerLevelsError && e.kind === 'conflict' && /not a socket/.test(e.message));
      await assert.rejects(LevelForwarder.start(new FakeTarget(daemon), { socketPath: path.join(dir, 'x'.repeat(120)) }),
        (e: unknown) => e instanceof DockerLevelsError && e.kind === 'badInput' && /longer than/.test(e.message));
    });
  });
});

describe('level forwarders of one owner (unit)', () => {
  let daemon: FakeDaemon;
  afterEach(async () => daemon?.close());

  it('keeps one forwarder per level, shares a start in progress, and lists them', async () => {
    daemon = await new FakeDaemon(upperCaseAfterEnd).listen();
    const owner = new LevelForwarders();
    try {
      const target = new FakeTarget(daemon);
      const [a, b] = await Promise.all([owner.forward(target), owner.forward(target)]);
      assert.equal(a, b);
      assert.deepEqual(owner.list(), [a]);
      assert.equal(await owner.forward(target), a);
      let changes = 0;
      owner.onDidChange(() => changes++);
      await owner.stop('root');
      assert.deepEqual(owner.list(), []);
      assert.ok(changes > 0);
      const again = await owner.forward(target);
      assert.notEqual(again, a);
    } finally {
      owner.dispose();
    }
  });

  it('stop(id) stops that level and the levels below it, not its siblings', async () => {
    daemon = await new FakeDaemon(upperCaseAfterEnd).listen();
    const owner = new LevelForwarders();
    try {
      const mk = (id: string) => Object.assign(new FakeTarget(daemon), { id });
      const [, l2, sibling] = await Promise.all(['r/1', 'r/1/2', 'r/10'].map((id) => owner.forward(mk(id))));
      await owner.stop('r/1');
      assert.deepEqual(owner.list().map((f) => f.target.id), ['r/10']);
      assert.equal(l2.state, 'stopped');
      assert.equal(sibling.state, 'serving');
    } finally {
      owner.dispose();
    }
  });
});

describe('raw daemon streams (unit)', () => {
  it('refuses a bare ssh:// connection (its streams come from its level\'s agent), and a cancelled dial destroys its socket', async () => {
    await assert.rejects(openConnectionStream({ kind: 'ssh', host: 'h', port: 22 }, 1000),
      (e: unknown) => e instanceof DockerLevelsError && e.kind === 'badInput');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(openConnectionStream({ kind: 'tcp', host: '127.0.0.1', port: 9 }, 1000, controller.signal),
      (e: unknown) => e instanceof DockerLevelsError && e.kind === 'cancelled');
  });
});
