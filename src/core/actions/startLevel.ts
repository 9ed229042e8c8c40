import type Docker from 'dockerode';
import { throwIfCancelled } from '../abort';
import { DockerLevelsError, classifyError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { LABELS, PLAIN_DAEMON_PORT, TLS_DAEMON_PORT } from '../levels/discovery';
import type { Levels } from '../levels/levels';
import { readProgress } from '../untrusted/progressLines';
import { containerAction, createContainer, deleteContainer } from './engineCalls';
import { copyImage, hasImage } from './imageTransfer';
import { inspectContent } from '../contents/levelContents';
import { planSubnets, subnetsAbove } from './subnetPlan';
import { childLevelId } from '../levels/ids';
import { bridgeMtu, DEFAULT_MTU } from '../health/levelHealth';
import { readContainerLog } from '../health/daemonLog';
import { displayText } from '../untrusted/displayText';

export const DEFAULT_DIND_IMAGE = 'docker:dind';

/**
 * - tls: docker:dind's default, TLS on 2376 with certificates under /certs.
 * - tunnel: no TCP listener at all; reached through the exec tunnel.
 * - plain: the seed's PORT mode, plaintext TCP, published on 127.0.0.1 only.
 * - auto: tls where the image supports it, else tunnel.
 */
export type LevelMode = 'auto' | 'tls' | 'tunnel' | 'plain';

export interface StartLevelOptions {
  image?: string;
  name?: string;
  mode?: LevelMode;
  /** Publish the daemon port on the parent's 127.0.0.1 (only where that is this machine). */
  publish?: boolean;
  /** Pull a missing image before copying it from a level above. */
  pull?: boolean;
  readyTimeoutMs?: number;
  /** Extra labels on the level container (Docker Levels' own labels win on a clash). */
  labels?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface StartedLevel {
  level: DaemonLevel;
  containerId: string;
  name: string;
  /** 'privileged', or 'capabilities' where the host refused --privileged. */
  privilege: 'privileged' | 'capabilities';
  mode: Exclude<LevelMode, 'auto'>;
  imageSource: 'present' | 'pulled' | 'copied';
  /** Milliseconds from container start to the level opening (its daemon answering /info). */
  readyMs: number;
}

/** The capability set that works where --privileged is refused (see ENVIRONMENT.md). */
export const FALLBACK_PRIVILEGES: Partial<Docker.HostConfig> = {
  CapAdd: ['ALL'],
  CapDrop: ['SYS_RESOURCE'],
  SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
  MaskedPaths: [],
  ReadonlyPaths: [],
  DeviceCgroupRules: ['a *:* rwm'],
} as Partial<Docker.HostConfig>;

const CAPS_REFUSED = /unable to apply caps|operation not permitted/i;

function supportsTls(image: string, inspect: Record<string, unknown>): boolean {
  if (/(^|\/)docker:([\w.-]*-)?dind/i.test(image)) return true;
  // The inspect document is checked to be an object; its Config is read as untrusted.
  const config = (typeof inspect.Config === 'object' && inspect.Config !== null ? inspect.Config : {}) as { Env?: unknown; Labels?: unknown };
  const env = Array.isArray(config.Env) ? config.Env.filter((e): e is string => typeof e === 'string') : [];
  const labels = typeof config.Labels === 'object' && config.Labels !== null ? config.Labels as Record<string, unknown> : {};
  return env.some((e) => e.startsWith('DOCKER_TLS_CERTDIR=')) || labels['docker-levels.dind'] === 'true';
}

/** Makes the image available on `daemon`: already there, pulled, or copied from the nearest level above that has it. */
async function ensureImage(daemon: DaemonLevel, image: string, options: StartLevelOptions): Promise<'present' | 'pulled' | 'copied'> {
  if (await hasImage(daemon, image, options.signal)) return 'present';
  let pullError: DockerLevelsError | undefined;
  if (options.pull !== false) {
    options.onProgress?.(`Pulling ${image} on ${daemon.label}…`);
    try {
      await daemon.call(`Pulling ${image}`, async (s) => {
        const stream = await daemon.docker.pull(image, { abortSignal: s });
        // Bounded per line and in all; an error line fails the pull with its message (progressLines.ts).
        await readProgress(stream, `Pulling ${image} on ${daemon.what}`, { signal: s });
      }, options.signal, daemon.timeoutMs * 30);
      return 'pulled';
    } catch (err) {
      pullError = classifyError(err, `pulling ${image}`);
      if (pullError.kind === 'cancelled') throw pullError;
    }
  }
  for (let source = daemon.parent; source; source = source.parent) {
    if (!(await hasImage(source, image, options.signal))) continue;
    options.onProgress?.(`Copying ${image} from ${source.label} to ${daemon.label}…`);
    await copyImage(source, daemon, image, {
      signal: options.signal,
      onProgress: (bytes) => options.onProgress?.(`Copying ${image}: ${(bytes / 1e6).toFixed(0)} MB`),
    });
    return 'copied';
  }
  throw new DockerLevelsError('notFound', `Image ${image} is not on ${daemon.what} and no level above has it.`
    + (pullError ? ` Pull failed: ${pullError.message}` : ''), 'Check the image name, or pull or build it on a level above.');
}

function levelConfig(parent: DaemonLevel, image: string, mode: Exclude<LevelMode, 'auto'>, name: string | undefined,
  daemonArgs: string[], publish: boolean, privileges: Partial<Docker.HostConfig>, labels: Record<string, string> = {}): Docker.ContainerCreateOptions {
  const port = mode === 'tls' ? TLS_DAEMON_PORT : mode === 'plain' ? PLAIN_DAEMON_PORT : undefined;
  const env = mode === 'tls' ? ['DOCKER_TLS_CERTDIR=/certs'] : mode === 'plain' ? [`PORT=${PLAIN_DAEMON_PORT}`, 'DOCKER_TLS_CERTDIR='] : ['DOCKER_TLS_CERTDIR='];
  const args = mode === 'tls' ? daemonArgs : [...daemonArgs, '--tls=false'];
  // Loopback publishing only helps where the parent's loopback is this machine's.
  const canPublish = publish && port !== undefined && parent.publishedPortsReachable && !!parent.routableAddress?.startsWith('127.');
  return {
    name,
    Image: image,
    Cmd: args,
    Env: env,
    Labels: {
      ...labels,
      [LABELS.level]: 'true',
      [LABELS.parent]: parent.id,
      ...(port ? { [LABELS.port]: String(port) } : {}),
      [LABELS.tls]: String(mode === 'tls'),
    },
    ExposedPorts: port ? { [`${port}/tcp`]: {} } : undefined,
    // /var/lib/docker must be a volume: overlay2 cannot sit on the container's overlay root.
    Volumes: { '/var/lib/docker': {} },
    HostConfig: {
      ...privileges,
      PortBindings: canPublish ? { [`${port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] } : undefined,
    },
  } as Docker.ContainerCreateOptions;
}

async function removeQuietly(parent: DaemonLevel, id: string): Promise<void> {
  try {
    await deleteContainer(parent, id, { force: true, v: true }, 'Removing half-created level');
  } catch {
    // Already gone.
  }
}

/**
 * Starts a new nested level on `parent`: a privileged dind container whose daemon answers.
 * On any failure, what was half-created is removed.
 */
export async function startLevel(levels: Levels, parent: DaemonLevel, options: StartLevelOptions = {}): Promise<StartedLevel> {
  const image = options.image?.trim() || DEFAULT_DIND_IMAGE;
  const progress = options.onProgress ?? (() => undefined);
  const signal = options.signal;
  progress(`Checking ${image} on ${parent.label}…`);
  const imageSource = await ensureImage(parent, image, options);
  const imageInfo = await inspectContent(parent, 'image', image, signal);
  const mode: Exclude<LevelMode, 'auto'> = !options.mode || options.mode === 'auto'
    ? (supportsTls(image, imageInfo) ? 'tls' : 'tunnel') : options.mode;
  const subnets = planSubnets(await subnetsAbove(parent, signal), parent.depth + 1);
  // A bridge larger than the parent's drops large packets and connections hang: take the parent's.
  const parentMtu = await bridgeMtu(parent, signal).catch(() => DEFAULT_MTU);
  const daemonArgs = parentMtu < DEFAULT_MTU ? [...subnets.daemonArgs, '--mtu', String(parentMtu)] : subnets.daemonArgs;

  let privilege: StartedLevel['privilege'] = 'privileged';
  let containerId: string | undefined;
  try {
    // Remembered per daemon (by the registry, not the module) so a refusing host costs one failed start.
    const attempts = levels.privilegedRefused.has(parent.id) ? [FALLBACK_PRIVILEGES] : [{ Privileged: true }, FALLBACK_PRIVILEGES];
    if (attempts.length === 1) privilege = 'capabilities';
    for (const attempt of attempts) {
      throwIfCancelled(signal, 'Start DinD');
      const config = levelConfig(parent, image, mode, options.name, daemonArgs, options.publish ?? true, attempt, options.labels);
      progress(`Creating the level container on ${parent.label}…`);
      const created = await createContainer(parent, config, { signal });
      containerId = created.id;
      try {
        await containerAction(parent, created.id, 'start', 'Starting container', { signal });
        break;
      } catch (err) {
        const error = classifyError(err, parent.what);
        await removeQuietly(parent, created.id);
        containerId = undefined;
        if (!CAPS_REFUSED.test(error.message)) throw error;
        if (attempt === FALLBACK_PRIVILEGES) {
          throw new DockerLevelsError('privilegedRefused', `${parent.what} refuses both --privileged and the fallback capability set: ${error.message}`,
            'This host cannot run Docker in Docker; use a host that allows privileged containers.', err);
        }
        levels.privilegedRefused.add(parent.id);
        privilege = 'capabilities';
        levels.log.warn(`--privileged refused on ${parent.label} (${error.message}); using the equivalent capability set`);
        progress('--privileged is refused here; using the equivalent capability set…');
      }
    }
    if (!containerId) throw new DockerLevelsError('unknown', 'The level container was not created.');
    const started = Date.now();
    progress('Waiting for the nested daemon to answer…');
    const level = await waitForDaemon(levels, parent, containerId, options.readyTimeoutMs ?? 90_000, signal);
    const name = level.container?.name ?? containerId.slice(0, 12);
    levels.log.info(`started level ${level.path} (${mode}, ${privilege}) in ${Date.now() - started} ms`);
    if (mode === 'plain') {
      levels.log.warn(`${level.path} listens in plaintext on ${PLAIN_DAEMON_PORT} of its own address, without TLS: whatever reaches that address `
        + `(other containers on ${parent.label}'s networks, local users) controls a privileged daemon. Leave the mode to auto for TLS or the exec tunnel.`);
    }
    return { level, containerId, name, privilege, mode, imageSource, readyMs: Date.now() - started };
  } catch (err) {
    if (containerId) {
      levels.close(childLevelId(parent.id, containerId));
      await removeQuietly(parent, containerId);
    }
    throw classifyError(err, parent.what);
  }
}

async function waitForDaemon(levels: Levels, parent: DaemonLevel, containerId: string, timeoutMs: number, signal?: AbortSignal): Promise<DaemonLevel> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    throwIfCancelled(signal, 'Start DinD');
    try {
      return await levels.openLevel(parent, containerId, signal);
    } catch (err) {
      last = err;
      const error = classifyError(err);
      if (error.kind === 'cancelled') throw error;
      const state = await parent.inspectContainer(containerId, signal);
      if (!state.State.Running) {
        const logs = await containerLogTail(parent, containerId);
        throw new DockerLevelsError('unknown', `The level container exited (code ${state.State.ExitCode}) before its daemon answered. ${logs}`,
          'Show Log has its output; check that the image runs a Docker daemon.');
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new DockerLevelsError('timeout', `The nested daemon did not answer within ${Math.round(timeoutMs / 1000)} s.`,
    'Its container is removed; check the image, or raise the start timeout.', last);
}

async function containerLogTail(parent: DaemonLevel, id: string): Promise<string> {
  try {
    // Bounded and demuxed by the one log reader; the lines are the level's text, shown escaped.
    const { lines } = await readContainerLog(parent, id, { tail: 5 });
    return lines.length ? `Last output: ${displayText(lines.join('\n'), 400)}` : '';
  } catch {
    return '';
  }
}
