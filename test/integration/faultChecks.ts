// What the fault tests (faults.test.ts) check and inject with: an event log per daemon, the
// bound every failure report must meet, and a TCP endpoint that never answers.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import {
  ContainerEvent, ContainerSnapshot, DaemonLevel, DaemonSnapshot, DockerLevelsError, EventSubscription, silentLogger, SubscriptionState,
} from '../../src/core';
import {
  dockerIn, ensureImage, faultLevels, faultName, LEAF_IMAGE, MadeContainer, openLevelPath, REPORT_BOUND_MS, startBackgroundDaemonLevel,
  startFaultLevel, startLeaf, startPublishedLevel, timed, waitFor,
} from './faultBed';

/** The chain the fault tests inject into (drawn in faults.test.ts), one name per container. */
export const CHAIN = {
  A: faultName('a'), S: faultName('s'), B: faultName('b'), C: faultName('c'), P: faultName('p'), LEAF: faultName('b-leaf'),
};

/** Starts the chain (the registry used for it is closed after); returns the leaf at level 2. */
export async function startFaultChain(): Promise<MadeContainer> {
  const { A, C, P, LEAF } = CHAIN;
  let leaf: MadeContainer;
  const levels = faultLevels({ timeoutMs: 30_000 });
  try {
    const root = levels.roots()[0];
    const [a, s] = await Promise.all([startFaultLevel(levels, root, 'a'), startFaultLevel(levels, root, 's')]);
    const b = await startFaultLevel(levels, a.level, 'b');
    leaf = await startLeaf(b.level, LEAF);
    await startBackgroundDaemonLevel(a.level, C);
    await startPublishedLevel(a.level, P);
    const c = await openLevelPath(levels, [A, C], 60_000);
    const p = await openLevelPath(levels, [A, P], 60_000);
    // Every level gets the leaf image, so a test can make a container there for an event.
    for (const level of [s.level, c, p]) await ensureImage(level, LEAF_IMAGE);
  } finally {
    levels.dispose();
  }
  return leaf;
}

/** One daemon's container events as a test sees them. */
export class EventLog {
  readonly events: ContainerEvent[] = [];
  readonly states: SubscriptionState[] = [];
  readonly reasons: string[] = [];
  readonly sub: EventSubscription;

  constructor(daemon: DaemonLevel) {
    this.sub = new EventSubscription(daemon, {
      onEvent: (e) => this.events.push(e), onState: (s, why) => { this.states.push(s); if (why) this.reasons.push(why); }, log: silentLogger, initialDelayMs: 200, maxDelayMs: 1000, keepAliveMs: 1000,
    });
  }

  live(ms = 30_000): Promise<void> {
    return waitFor(() => this.sub.state === 'live', ms, 'the event stream to be live').then(() => undefined)
      .catch((err: Error) => { throw new Error(`${err.message}; states ${this.states.slice(-6).join(', ')}; last reasons: ${this.reasons.slice(-3).join(' | ')}`); });
  }

  /** Waits for a destroy event of `id` (a container made and removed after the stream came back). */
  sees(id: string, ms = 30_000): Promise<void> {
    return waitFor(() => this.events.some((e) => e.containerId === id && e.action === 'destroy'), ms, `the destroy event of ${id.slice(0, 12)}`).then(() => undefined);
  }

  dispose(): void {
    this.sub.dispose();
  }
}

/** Creates and removes a leaf at the level inside `chain`, for an event; returns its id. */
export function touch(chain: readonly string[], host?: string): string {
  const name = faultName(`touch-${Date.now() % 100000}`);
  const id = dockerIn(chain, ['create', '--name', name, LEAF_IMAGE], { host }).trim();
  dockerIn(chain, ['rm', name], { host });
  return id;
}

export function child(snap: DaemonSnapshot, name: string): ContainerSnapshot {
  const c = snap.containers.find((x) => x.name === name);
  assert.ok(c, `${name} is in the snapshot of ${snap.path || 'the root'}`);
  return c;
}

export function idsToNames(list: { Id: string; Names: string[] }[]): Map<string, string> {
  return new Map(list.map((c) => [c.Id, c.Names[0].replace(/^\//, '')]));
}

/** Each level answers a listing within the bound. */
export async function assertAnswering(levels: readonly DaemonLevel[]): Promise<void> {
  await Promise.all(levels.map(async (l) => {
    const r = await timed(l.listContainers());
    assert.equal(r.error, undefined, `${l.what} keeps working: ${String(r.error)}`);
    assert.ok(r.ms < REPORT_BOUND_MS, `${l.what} answered in ${r.ms} ms`);
  }));
}

/** The failure arrives within the bound, as a DockerLevelsError with a hint. */
export function assertReported(r: { ms: number; error?: unknown }, what: string, kinds: readonly string[], message: RegExp): DockerLevelsError {
  assert.ok(r.error instanceof DockerLevelsError, `${what} fails with a DockerLevelsError, got ${String(r.error)}`);
  assert.ok(r.ms < REPORT_BOUND_MS, `${what} failed after ${r.ms} ms, more than ${REPORT_BOUND_MS}`);
  assert.ok(kinds.includes(r.error.kind), `${what}: kind ${r.error.kind} (${r.error.message}) is one of ${kinds.join(', ')}`);
  assert.match(r.error.userMessage, message);
  assert.ok(r.error.hint, `${what}: the error says what to do (${r.error.message})`);
  return r.error;
}

/**
 * A TCP listener on 127.0.0.1 that accepts every connection and never answers, until told to
 * answer: from then on new connections are piped to the local daemon's socket.
 */
export class BlackHole {
  private readonly sockets = new Set<net.Socket>();
  private answering = false;

  private constructor(private readonly server: net.Server, readonly port: number) {}

  static async start(): Promise<BlackHole> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const hole = new BlackHole(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (socket) => hole.accept(socket));
    return hole;
  }

  /** Connections the clients still hold open. */
  get open(): number {
    return this.sockets.size;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (!this.answering) {
      socket.resume(); // read and drop, so a client's close is seen
      return;
    }
    const daemon = net.connect('/var/run/docker.sock');
    daemon.on('error', () => socket.destroy());
    daemon.on('close', () => socket.destroy());
    socket.on('close', () => daemon.destroy());
    socket.pipe(daemon).pipe(socket);
  }

  answer(): void {
    this.answering = true;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
