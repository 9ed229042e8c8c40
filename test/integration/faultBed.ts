/**
 * What the fault, bad-input, soak and safe-default tests build for themselves, never touching
 * the shared bed: small nested chains started with the core's startLevel (names dl-fault-*), a
 * second dockerd of our own in its own network namespace, the docker CLI as an independent
 * witness, and the checks every fault test ends with (no unhandled rejections; no sockets,
 * streams, timers or child processes left over).
 */
import * as assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type Docker from 'dockerode';
import * as tar from 'tar-stream';
import {
  copyImage, DaemonLevel, FALLBACK_PRIVILEGES, hasImage, Levels, LevelsOptions, Logger, planSubnets,
  removeContainer, resolveLocalEndpoint, RootEndpoint, startLevel, StartedLevel, StartLevelOptions, subnetsAbove,
} from '../../src/core';
import { REPO } from './testBed';

export const DIND_IMAGE = 'docker-levels-test/dind:latest';
export const LEAF_IMAGE = 'docker-levels-test/leaf:latest';
/** The connect timeout the fault tests run with: short, so a hang shows quickly. */
export const FAULT_TIMEOUT_MS = 3000;
/** "Within the connect timeout", with generous slack for a loaded 2-core machine. */
export const REPORT_BOUND_MS = FAULT_TIMEOUT_MS * 2 + 2000;
/** Containers the helpers create themselves (not through startLevel) carry this label, with the test's pid. */
export const FAULT_LABEL = 'docker-levels-test.fault';

/** A unique container name: dl-fault-TAG-PID, so two runs at once never collide. */
export function faultName(tag: string): string {
  return `dl-fault-${tag}-${process.pid}`;
}

// ---------------------------------------------------------------------------------------------
// The docker CLI as an independent witness.

export interface CliOptions {
  /** DOCKER_HOST for the outermost CLI (our own dockerd); the local daemon when unset. */
  host?: string;
  input?: string | Buffer;
  timeoutMs?: number;
}

/** `docker ARGS` run at the daemon inside `chain` (outermost first), by chaining `docker exec`. */
export function dockerIn(chain: readonly string[], args: readonly string[], options: CliOptions = {}): string {
  const argv = [...chain.flatMap((c) => ['exec', '-i', c, 'docker']), ...args];
  const env = { ...process.env };
  if (options.host) env.DOCKER_HOST = options.host; else delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  const r = spawnSync('docker', argv, { input: options.input, env, encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`docker ${argv.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

/**
 * Empties the pid files a killed dockerd left in the stopped container `name` (in the daemon
 * inside `chain`), through the archive API. docker:dind's entrypoint deletes stale
 * docker*.pid files itself; the test image's does not, so without this a killed level exits
 * at once on its next start ("pid file found"), and a stale containerd.pid can name a live
 * process of the new container.
 */
export async function emptyStalePidFiles(chain: readonly string[], name: string): Promise<void> {
  const pack = tar.pack();
  pack.entry({ name: 'docker.pid' }, '');
  pack.entry({ name: 'docker/containerd/containerd.pid' }, '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  dockerIn(chain, ['cp', '-', `${name}:/var/run/`], { input: Buffer.concat(chunks) });
}

/** `docker ps -a` at a level: full ID → name. */
export function containersIn(chain: readonly string[], options: CliOptions = {}): Map<string, string> {
  const out = dockerIn(chain, ['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}}'], options);
  return new Map(out.trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}

/** Runs the built CLI with extra environment. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO, 'out', 'cli.js'), ...args], {
    encoding: 'utf8', timeout: 180_000, env: { ...process.env, ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------------------------------------
// Timing and waiting.

export async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string, everyMs = 200): Promise<void> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** How long a promise takes to settle, and how. Never rejects. */
export async function timed<T>(work: Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const start = Date.now();
  try {
    const value = await work;
    return { ms: Date.now() - start, value };
  } catch (error) {
    return { ms: Date.now() - start, error };
  }
}

// ---------------------------------------------------------------------------------------------
// Leak and rejection checks.

/** Counts of what keeps the event loop alive, by kind (TCPSocketWrap, PipeWrap, Timeout, ProcessWrap…). */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

function excess(before: Map<string, number>, now: Map<string, number>): string[] {
  return [...now].filter(([kind, n]) => n > (before.get(kind) ?? 0)).map(([kind, n]) => `${kind}: ${before.get(kind) ?? 0} → ${n}`);
}

/** The async_hooks names of what getActiveResourcesInfo counts (TCPWRAP there is TCPSocketWrap). */
const TRACKED = new Set(['Timeout', 'TCPWRAP', 'PIPEWRAP', 'PROCESSWRAP', 'TCPSERVERWRAP', 'PIPESERVERWRAP', 'TCPCONNECTWRAP', 'PIPECONNECTWRAP']);

/**
 * Started at the beginning of a test: records what is alive and counts unhandled promise
 * rejections. `assertClean` (after the test disposed what it made) waits until everything is
 * back to where it was.
 */
export class LeakWatch {
  readonly before = activeResources();
  readonly rejections: unknown[] = [];
  private readonly onRejection = (reason: unknown) => { this.rejections.push(reason); };
  /** Where each resource made during the watch was made, to name a leak. */
  private readonly origins = new Map<number, { type: string; stack: string }>();
  private readonly hook = createHook({
    init: (id, type) => {
      if (!TRACKED.has(type)) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 40;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      const frames = stack.split('\n').slice(1).filter((l) => !/internal\/async_hooks|AsyncHook.init|node_modules\/mocha/.test(l));
      this.origins.set(id, { type, stack: frames.slice(0, 12).join('\n') });
    },
    destroy: (id) => { this.origins.delete(id); },
  });

  private constructor() {
    process.on('unhandledRejection', this.onRejection);
    this.hook.enable();
  }

  /** Starts a turn later: mocha arms its own test timer just after a test function returns. */
  static async start(): Promise<LeakWatch> {
    await new Promise((resolve) => setImmediate(resolve));
    return new LeakWatch();
  }

  async assertClean(ms = 15_000): Promise<void> {
    let left: string[] = [];
    try {
      await waitFor(() => (left = excess(this.before, activeResources())).length === 0, ms, 'resources to be released').catch(() => undefined);
      // Late rejections surface a turn after the promise is dropped.
      await sleep(50);
    } finally {
      process.off('unhandledRejection', this.onRejection);
      this.hook.disable();
    }
    assert.deepEqual(this.rejections.map((r) => String((r as Error)?.stack ?? r)), [], 'no unhandled promise rejections');
    if (left.length) {
      // getActiveResourcesInfo says TCPSocketWrap where async_hooks says TCPWRAP.
      const kinds = new Set(left.map((l) => l.split(':')[0].toUpperCase().replace('SOCKETWRAP', 'WRAP')));
      const where = [...this.origins.values()].filter((o) => kinds.has(o.type.toUpperCase())).map((o) => `${o.type} made at\n${o.stack}`);
      assert.deepEqual(left, [], `no sockets, streams, timers or child processes left over; still alive from this test:\n${where.join('\n---\n')}`);
    }
  }
}

/**
 * Runs a test body with a fresh registry (the short timeout), disposes it, then checks that no
 * promise rejection went unhandled and that nothing is left running.
 */
export async function watched(body: (levels: Levels) => Promise<void>, endpoints: RootEndpoint[] = [resolveLocalEndpoint()],
  options: LevelsOptions = {}): Promise<void> {
  const watch = await LeakWatch.start();
  const levels = new Levels(endpoints, { timeoutMs: FAULT_TIMEOUT_MS, ...options });
  let failed = true;
  try {
    await body(levels);
    failed = false;
  } finally {
    levels.dispose();
    if (failed) await watch.assertClean(0).catch(() => undefined);
  }
  await watch.assertClean();
}

/** A logger that keeps every line, trace included. */
export class CapturingLogger implements Logger {
  text = '';
  private add(level: string, m: string): void { this.text += `${level} ${m}\n`; }
  trace(m: string): void { this.add('trace', m); }
  debug(m: string): void { this.add('debug', m); }
  info(m: string): void { this.add('info', m); }
  warn(m: string): void { this.add('warn', m); }
  error(m: string): void { this.add('error', m); }
}

/** A full garbage collection, without running mocha with --expose-gc. */
export const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
})();

// ---------------------------------------------------------------------------------------------
// Levels of our own.

/** A registry over the local daemon with the short fault timeout. */
export function faultLevels(options: LevelsOptions = {}): Levels {
  return new Levels([resolveLocalEndpoint()], { timeoutMs: FAULT_TIMEOUT_MS, ...options });
}

/** A level started by the core with the test image (never pulled), named dl-fault-TAG-PID. */
export function startFaultLevel(levels: Levels, parent: DaemonLevel, tag: string, options: StartLevelOptions = {}): Promise<StartedLevel> {
  return startLevel(levels, parent, { image: DIND_IMAGE, pull: false, name: faultName(tag), readyTimeoutMs: 120_000, ...options });
}

/** Makes `image` present on `level`, copied from the nearest level above that has it. */
export async function ensureImage(level: DaemonLevel, image: string): Promise<void> {
  if (await hasImage(level, image)) return;
  for (let source = level.parent; source; source = source.parent) {
    if (await hasImage(source, image)) {
      await copyImage(source, level, image);
      return;
    }
  }
  throw new Error(`${image} is on no level above ${level.what}`);
}

export interface MadeContainer {
  id: string;
  name: string;
}

async function createAndStart(level: DaemonLevel, options: Docker.ContainerCreateOptions): Promise<MadeContainer> {
  const created = await level.docker.createContainer(options);
  await created.start();
  return { id: created.id, name: options.name! };
}

/** A busybox leaf that idles until stopped. */
export async function startLeaf(level: DaemonLevel, name: string): Promise<MadeContainer> {
  await ensureImage(level, LEAF_IMAGE);
  return createAndStart(level, { name, Image: LEAF_IMAGE, Labels: { [FAULT_LABEL]: String(process.pid) } });
}

/** HostConfig of a dind container here: --privileged is refused on these VMs, the capability set works. */
function dindHostConfig(extra: Partial<Docker.HostConfig> = {}): Docker.HostConfig {
  return { ...FALLBACK_PRIVILEGES, ...extra } as Docker.HostConfig;
}

/**
 * A dind level whose main process is not dockerd: the image's entrypoint runs dockerd in the
 * background and then `tail`, so dockerd alone can be killed from inside (PID 1 cannot be).
 * Unix socket only: reached through the exec tunnel.
 */
export async function startBackgroundDaemonLevel(level: DaemonLevel, name: string): Promise<MadeContainer> {
  await ensureImage(level, DIND_IMAGE);
  return createAndStart(level, {
    name, Image: DIND_IMAGE, Cmd: ['tail', '-f', '/dev/null'], Env: ['DOCKER_TLS_CERTDIR='],
    Labels: { [FAULT_LABEL]: String(process.pid) }, Volumes: { '/var/lib/docker': {} }, HostConfig: dindHostConfig(),
  });
}

/**
 * A dind level made the way users and the shared bed make level 2: plaintext PORT 2375
 * published on every address of its parent's namespace, so it is reached at
 * (parent IP):(published port), a TCP route that crosses the parent's network namespace.
 */
export async function startPublishedLevel(level: DaemonLevel, name: string): Promise<MadeContainer> {
  await ensureImage(level, DIND_IMAGE);
  const subnets = planSubnets(await subnetsAbove(level), level.depth + 1);
  return createAndStart(level, {
    name, Image: DIND_IMAGE, Cmd: subnets.daemonArgs, Env: ['PORT=2375', 'DOCKER_TLS_CERTDIR='],
    Labels: { [FAULT_LABEL]: String(process.pid) }, Volumes: { '/var/lib/docker': {} }, ExposedPorts: { '2375/tcp': {} },
    HostConfig: dindHostConfig({ PortBindings: { '2375/tcp': [{ HostPort: '' }] } }),
  });
}

/**
 * Opens a level by the names of the containers from the root down. With `waitMs`, retries
 * until its daemon answers; the last failure is thrown as it came.
 */
export async function openLevelPath(levels: Levels, names: readonly string[], waitMs = 0, root = levels.roots()[0]): Promise<DaemonLevel> {
  let daemon = root;
  for (const name of names) {
    const until = Date.now() + waitMs;
    for (;;) {
      try {
        const list = await daemon.listContainers();
        const c = list.find((x) => x.Names[0] === `/${name}`);
        if (!c) throw new Error(`${name} is not on ${daemon.what}`);
        daemon = await levels.openLevel(daemon, c.Id);
        break;
      } catch (err) {
        if (Date.now() >= until) throw err;
        await sleep(500);
      }
    }
  }
  return daemon;
}

/** Removes containers of the local daemon (their nested levels die with their volumes); what is gone already is fine. */
export async function removeAll(names: readonly string[]): Promise<void> {
  const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000 });
  try {
    for (const name of names) {
      await removeContainer(levels, levels.roots()[0], name).catch(() => undefined);
    }
  } finally {
    levels.dispose();
  }
}

/** Names of this run's dl-fault-* containers on the local daemon (others' containers come and go). */
export function ourRootContainers(): string[] {
  return [...containersIn([]).values()].filter((n) => n.startsWith('dl-fault-') && n.endsWith(`-${process.pid}`)).sort();
}

// ---------------------------------------------------------------------------------------------
// A second dockerd of our own.

let ownCount = 0;

/**
 * A dockerd of our own, for faults that would hurt everyone on the shared one (a restart) and
 * for daemon configurations the shared one does not have. It runs in a network namespace of
 * its own (`unshare --net`): dockerd 20.10 deletes the host's docker0 when started with
 * `--bridge none`, and anything it does to bridges and iptables stays in its namespace.
 * Reached through its unix socket; its containers only through the exec tunnel.
 */
export class OwnDockerd {
  readonly dir: string;
  readonly socket: string;
  private pid: number | undefined;

  private constructor(readonly tag: string, private readonly args: string[], private readonly wrapper: string[]) {
    ownCount++;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `dl-fault-dockerd-${tag}-`));
    this.socket = path.join(this.dir, 'docker.sock');
  }

  /** `wrapper` runs before dockerd, e.g. ['setpriv', '--bounding-set', '-sys_time']. */
  static async start(tag: string, options: { args?: string[]; wrapper?: string[] } = {}): Promise<OwnDockerd> {
    const d = new OwnDockerd(tag, options.args ?? [], options.wrapper ?? []);
    try {
      await d.start();
    } catch (err) {
      await d.destroy();
      throw err;
    }
    return d;
  }

  get url(): string {
    return `unix://${this.socket}`;
  }

  get running(): boolean {
    return this.pid !== undefined && fs.existsSync(`/proc/${this.pid}`);
  }

  async start(): Promise<void> {
    const bip = `10.213.${(process.pid + ownCount) % 250}.1/24`;
    const dockerd = [
      ...this.wrapper, 'dockerd', '--data-root', path.join(this.dir, 'data'), '--exec-root', path.join(this.dir, 'exec'),
      '--pidfile', path.join(this.dir, 'docker.pid'), '--host', this.url, '--bip', bip,
      '--iptables=false', '--ip-masq=false', '--shutdown-timeout', '2', ...this.args,
    ];
    const log = fs.openSync(path.join(this.dir, 'dockerd.log'), 'a');
    try {
      // `unshare --net` execs in place (no fork), so the child's pid is dockerd's.
      const child = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...dockerd], {
        detached: true, stdio: ['ignore', log, log],
      });
      child.unref();
      this.pid = child.pid;
    } finally {
      fs.closeSync(log);
    }
    await waitFor(() => this.ping(), 60_000, `our dockerd (${this.tag}) to answer; see ${path.join(this.dir, 'dockerd.log')}`, 250);
  }

  private ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = http.get({ socketPath: this.socket, path: '/_ping', agent: false, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => { req.destroy(); resolve(false); });
    });
  }

  /** SIGTERM, then waits for dockerd to exit. */
  async stop(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    await waitFor(() => !fs.existsSync(`/proc/${pid}`) || /^Z/m.test(procState(pid)), 30_000, 'our dockerd to exit').catch(() => {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    });
    this.pid = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Removes every container, stops dockerd, ends what it left (by pid, matched on our dir), unmounts and deletes the dir. */
  async destroy(): Promise<void> {
    if (this.running) {
      try {
        const ids = dockerIn([], ['ps', '-aq'], { host: this.url }).split('\n').filter(Boolean);
        if (ids.length) dockerIn([], ['rm', '-fv', ...ids], { host: this.url });
      } catch { /* stopping it below */ }
    }
    await this.stop();
    for (const pid of processesMentioning(this.dir)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    await waitFor(() => processesMentioning(this.dir).length === 0, 10_000, 'its processes to end').catch(() => undefined);
    for (const mount of mountsUnder(this.dir).reverse()) spawnSync('umount', ['-l', mount]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function procState(pid: number): string {
  try {
    return /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

/** Pids whose command line mentions `text`; ours only, since `text` is our own temp dir. */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch { /* exited */ }
  }
  return pids;
}

function mountsUnder(dir: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m && (m === dir || m.startsWith(`${dir}/`)));
}

/** A root endpoint record for our own dockerd. */
export function ownRoot(d: OwnDockerd, label = `own-${d.tag}`): { id: string; label: string; url: string; source: 'settings'; connection: { kind: 'unix'; socketPath: string } } {
  return { id: `settings-${label}`, label, url: d.url, source: 'settings', connection: { kind: 'unix', socketPath: d.socket } };
}
