import type Docker from 'dockerode';
import { containerAction, createContainer, deleteContainer, deleteImage, deleteNetwork, deleteVolume } from '../actions/engineCalls';
import { classifyError, DockerLevelsError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { containerName } from '../levels/discovery';
import {
  checkImageList, checkInspectDocument, checkNetworkList, checkVolumeList, LevelImage, LevelNetwork, LevelVolume,
} from '../untrusted/contentShapes';
import { displayText } from '../untrusted/displayText';

/**
 * What a level holds besides containers: its images, volumes and networks, listed, inspected
 * and removed, each call with the level's deadline and a classified error. Removal names the
 * containers that use what is removed, and refuses while any does unless asked to force.
 */

export type ContentKind = 'image' | 'volume' | 'network';

/** A listing, with the entries that were left out for their shape (a lying level). */
export interface ContentListing<T> {
  items: T[];
  leftOut: string[];
}

/** A container that uses an image, volume or network. */
export interface ContentUser {
  id: string;
  name: string;
  state: string;
}

export async function listLevelImages(daemon: DaemonLevel, signal?: AbortSignal): Promise<ContentListing<LevelImage>> {
  const leftOut: string[] = [];
  const body = await daemon.getJson('Listing images', '/images/json', signal);
  return { items: checkImageList(body, daemon.what, (p) => leftOut.push(p)), leftOut };
}

export async function listLevelVolumes(daemon: DaemonLevel, signal?: AbortSignal): Promise<ContentListing<LevelVolume>> {
  const leftOut: string[] = [];
  const body = await daemon.getJson('Listing volumes', '/volumes', signal);
  return { items: checkVolumeList(body, daemon.what, (p) => leftOut.push(p)), leftOut };
}

export async function listLevelNetworks(daemon: DaemonLevel, signal?: AbortSignal): Promise<ContentListing<LevelNetwork>> {
  const leftOut: string[] = [];
  const body = await daemon.getJson('Listing networks', '/networks', signal);
  return { items: checkNetworkList(body, daemon.what, (p) => leftOut.push(p)), leftOut };
}

const INSPECT_PATH: Record<ContentKind, string> = { image: '/images/%s/json', volume: '/volumes/%s', network: '/networks/%s' };

/** GET the inspect document of an image (ID or reference), volume (name) or network (ID or name). */
export async function inspectContent(daemon: DaemonLevel, kind: ContentKind, id: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const path = INSPECT_PATH[kind].replace('%s', encodeURIComponent(id));
  try {
    return checkInspectDocument(await daemon.getJson(`Inspecting ${kind}`, path, signal), daemon.what, kind);
  } catch (err) {
    throw goneOrSame(err, kind, id, daemon);
  }
}

function goneOrSame(err: unknown, kind: ContentKind, id: string, daemon: DaemonLevel): DockerLevelsError {
  const e = classifyError(err, daemon.what);
  if (e.kind !== 'notFound') return e;
  return new DockerLevelsError('notFound', `The ${kind} ${displayText(shortRef(id), 80)} is not on ${daemon.what}.`, 'It may have been removed; refresh the tree.', err);
}

/** "sha256:abc…" → "abc…" (12 hex), names as they are. */
export function shortRef(id: string): string {
  const m = /^(?:sha256:)?([0-9a-f]{64})$/.exec(id);
  return m ? m[1].slice(0, 12) : id;
}

function userOf(c: Docker.ContainerInfo): ContentUser {
  return { id: c.Id, name: containerName(c), state: c.State };
}

/** Of a listing, the containers (running or not) created from an image, matched by image ID. */
export function containersUsingImage(containers: readonly Docker.ContainerInfo[], imageId: string): ContentUser[] {
  const id = imageId.startsWith('sha256:') ? imageId : `sha256:${imageId}`;
  return containers.filter((c) => c.ImageID === id).map(userOf);
}

/** Of a listing, the containers that mount a volume. */
export function containersUsingVolume(containers: readonly Docker.ContainerInfo[], volumeName: string): ContentUser[] {
  return containers.filter((c) => Array.isArray(c.Mounts) && c.Mounts.some((m) => m?.Type === 'volume' && m.Name === volumeName)).map(userOf);
}

/** Of a listing, the containers attached to a network (by name or ID). */
export function containersOnNetwork(containers: readonly Docker.ContainerInfo[], network: { id: string; name: string }): ContentUser[] {
  return containers.filter((c) => {
    const nets = c.NetworkSettings?.Networks;
    if (!nets || typeof nets !== 'object') return false;
    return Object.entries(nets).some(([name, n]) => name === network.name || (n as { NetworkID?: unknown } | null)?.NetworkID === network.id);
  }).map(userOf);
}

export async function imageUsers(daemon: DaemonLevel, imageId: string, signal?: AbortSignal): Promise<ContentUser[]> {
  return containersUsingImage(await daemon.listContainers(true, signal), imageId);
}

export async function volumeUsers(daemon: DaemonLevel, volumeName: string, signal?: AbortSignal): Promise<ContentUser[]> {
  return containersUsingVolume(await daemon.listContainers(true, signal), volumeName);
}

export async function networkUsers(daemon: DaemonLevel, network: { id: string; name: string }, signal?: AbortSignal): Promise<ContentUser[]> {
  return containersOnNetwork(await daemon.listContainers(true, signal), network);
}

/** "a, b and 3 more", as data. */
export function describeUsers(users: readonly ContentUser[], max = 5): string {
  const names = users.slice(0, max).map((u) => displayText(u.name, 80));
  return users.length > max ? `${names.join(', ')} and ${users.length - max} more` : names.join(', ');
}

function inUse(kind: ContentKind, ref: string, daemon: DaemonLevel, users: readonly ContentUser[], canForce: boolean): DockerLevelsError {
  return new DockerLevelsError('conflict',
    `The ${kind} ${displayText(shortRef(ref), 80)} on ${daemon.what} is used by ${users.length === 1 ? 'container' : `${users.length} containers`}: ${describeUsers(users)}.`,
    canForce ? 'Remove those containers first, or remove it with force.' : 'Remove those containers first (or disconnect them).');
}

export interface ImageRemoval {
  /** Image IDs that are gone. */
  deleted: string[];
  /** References that were untagged. */
  untagged: string[];
}

/**
 * Removes an image (ID or reference). While containers use it, refuses with their names unless
 * `force` (then Docker untags it, or removes it when only stopped containers use it). A tag of
 * an image that has other tags is only untagged, which no container notices.
 */
export async function removeImage(daemon: DaemonLevel, image: string, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<ImageRemoval> {
  const inspected = await inspectContent(daemon, 'image', image, options.signal);
  const id = typeof inspected.Id === 'string' ? inspected.Id : image;
  const tags = Array.isArray(inspected.RepoTags) ? inspected.RepoTags : [];
  // One tag of several only untags: the image and its containers stay.
  const untagOnly = tags.includes(image) && tags.length > 1;
  const users = untagOnly ? [] : await imageUsers(daemon, id, options.signal);
  if (users.length && !options.force) throw inUse('image', image, daemon, users, true);
  try {
    return await deleteImage(daemon, image, { force: !!options.force }, { signal: options.signal });
  } catch (err) {
    throw goneOrSame(err, 'image', image, daemon);
  }
}

/** Removes a volume. While containers mount it, refuses with their names unless `force`. */
export async function removeVolume(daemon: DaemonLevel, name: string, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<void> {
  const users = await volumeUsers(daemon, name, options.signal);
  if (users.length && !options.force) throw inUse('volume', name, daemon, users, true);
  try {
    await deleteVolume(daemon, name, { force: !!options.force }, { signal: options.signal });
  } catch (err) {
    throw goneOrSame(err, 'volume', name, daemon);
  }
}

/** Networks every daemon has and that cannot be removed. */
export const PREDEFINED_NETWORKS: readonly string[] = ['bridge', 'host', 'none'];

/** Removes a network. Refuses the predefined ones, and while containers are attached (Docker cannot force it). */
export async function removeNetwork(daemon: DaemonLevel, network: { id: string; name: string }, signal?: AbortSignal): Promise<void> {
  if (PREDEFINED_NETWORKS.includes(network.name)) {
    throw new DockerLevelsError('badInput', `The network ${displayText(network.name, 80)} is one every Docker daemon has; it cannot be removed.`);
  }
  const users = await networkUsers(daemon, network, signal);
  if (users.length) throw inUse('network', network.name, daemon, users, false);
  try {
    await deleteNetwork(daemon, network.id, { signal });
  } catch (err) {
    throw goneOrSame(err, 'network', network.name, daemon);
  }
}

export interface RunImageOptions {
  name?: string;
  /** The command instead of the image's default one. */
  cmd?: string[];
  labels?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * `docker run -d`: creates a container from an image at this level and starts it. When the
 * start fails, the created container is removed again: nothing is left half-made.
 */
export async function runImage(daemon: DaemonLevel, image: string, options: RunImageOptions = {}): Promise<{ id: string }> {
  const created = await createContainer(daemon, {
    Image: image, name: options.name || undefined, Cmd: options.cmd?.length ? options.cmd : undefined, Labels: options.labels,
  }, { signal: options.signal });
  try {
    await containerAction(daemon, created.id, 'start', 'Starting container', { signal: options.signal });
  } catch (err) {
    // The deadline of the cleanup is the level's own: a cancelled run still removes what it made.
    await deleteContainer(daemon, created.id, { force: true, v: true }, 'Removing container').catch(() => undefined);
    throw classifyError(err, daemon.what);
  }
  return { id: created.id };
}
