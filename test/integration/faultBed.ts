/**
 * What the fault, bad-input, soak and safe-default tests build for themselves, never touching
 * the shared bed: small nested chains started with the core's startLevel (names dl-fault-*), a
 * second dockerd of our own in its own network namespace, the docker CLI as an independent
 * witness, and the checks every fault test ends with (no unhandled rejections; no sockets,
 * streams, timers or child processes left over).
 */
import type Docker from 'dockerode';
import * as tar from 'tar-stream';
import {
  copyImage, DaemonLevel, FALLBACK_PRIVILEGES, hasImage, Levels, LevelsOptions, planSubnets,
  removeContainer, resolveLocalEndpoint, RootEndpoint, startLevel, StartedLevel, StartLevelOptions, subnetsAbove,
} from '../../src/core';
import { containersIn, DIND_IMAGE, dockerIn, LEAF_IMAGE } from '../support/dockerWitness';
import { LeakWatch } from '../support/leakWatch';
import { sleep } from '../support/waitFor';

// What the fault tests share lives once in test/support (and ownDockerd.ts); re-exported here
// so that every fault test imports its bed from one module.
export { containersIn, DIND_IMAGE, dockerIn, LEAF_IMAGE, runCli, type CliOptions } from '../support/dockerWitness';
export { activeResources, CapturingLogger, collectGarbage, LeakWatch } from '../support/leakWatch';
export { sleep, timed, waitFor } from '../support/waitFor';
export { OwnDockerd, ownRoot, processesMentioning } from './ownDockerd';

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
