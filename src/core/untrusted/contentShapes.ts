import { DockerLevelsError } from '../errors';
import { displayText } from './displayText';
import { MAX_CONTENT_ITEMS_PER_LEVEL } from './limits';

/**
 * Shapes of a level's images, volumes and networks (GET /images/json, /volumes, /networks),
 * checked where they arrive, as engineShapes.ts does for containers: a body of the wrong kind
 * fails the listing; one entry of the wrong shape is left out and reported through `dropped`.
 * Only the fields Docker Levels reads are checked and kept.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isStringMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every(isString);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optional = <T>(v: unknown, check: (x: unknown) => x is T): boolean => v === undefined || v === null || check(v);
const IMAGE_ID = /^(sha256:)?[0-9a-f]{12,64}$/;

export interface LevelImage {
  /** "sha256:…" as the daemon reports it. */
  id: string;
  /** "repo:tag" references; empty for an untagged (dangling) image. */
  tags: string[];
  digests: string[];
  /** Unix seconds. */
  created: number;
  sizeBytes: number;
  labels: Record<string, string>;
}

export interface LevelVolume {
  name: string;
  driver: string;
  mountpoint: string;
  labels: Record<string, string>;
  scope: string;
  createdAt?: string;
}

export interface LevelNetwork {
  id: string;
  name: string;
  driver: string;
  scope: string;
  internal: boolean;
  labels: Record<string, string>;
  created?: string;
}

function notTheApi(what: string, detail: string): DockerLevelsError {
  return new DockerLevelsError('notADaemon', `The ${what} answered something that is not the Docker Engine API: ${detail}.`,
    'Whatever serves it is not a Docker daemon, or it lies: its answer is not shown.');
}

function imageProblem(i: Json): string | undefined {
  if (!isString(i.Id) || !IMAGE_ID.test(i.Id)) return 'its Id is not an image ID';
  if (!optional(i.RepoTags, isStringArray)) return 'its RepoTags is not a list of names';
  if (!optional(i.RepoDigests, isStringArray)) return 'its RepoDigests is not a list of digests';
  if (!isCount(i.Created)) return 'its Created is not a number';
  if (!isCount(i.Size)) return 'its Size is not a number';
  if (!optional(i.Labels, isStringMap)) return 'its Labels are not a map of strings';
  return undefined;
}

function volumeProblem(v: Json): string | undefined {
  if (!isString(v.Name) || !v.Name) return 'its Name is not a name';
  if (!isString(v.Driver)) return 'its Driver is not a string';
  if (!optional(v.Mountpoint, isString)) return 'its Mountpoint is not a string';
  if (!optional(v.Labels, isStringMap)) return 'its Labels are not a map of strings';
  if (!optional(v.Scope, isString)) return 'its Scope is not a string';
  if (!optional(v.CreatedAt, isString)) return 'its CreatedAt is not a string';
  return undefined;
}

function networkProblem(n: Json): string | undefined {
  if (!isString(n.Id) || !/^[0-9a-f]{12,64}$/.test(n.Id)) return 'its Id is not a network ID';
  if (!isString(n.Name) || !n.Name) return 'its Name is not a name';
  if (!isString(n.Driver)) return 'its Driver is not a string';
  if (!optional(n.Scope, isString)) return 'its Scope is not a string';
  if (!optional(n.Internal, (x): x is boolean => typeof x === 'boolean')) return 'its Internal is not a boolean';
  if (!optional(n.Labels, isStringMap)) return 'its Labels are not a map of strings';
  if (!optional(n.Created, isString)) return 'its Created is not a string';
  return undefined;
}

/** Checks each entry of a list, keeping the good ones mapped to our own shape. */
function checkList<T>(list: unknown, what: string, kind: string, idOf: (x: Json) => unknown,
  problemOf: (x: Json) => string | undefined, map: (x: Json) => T, dropped?: (problem: string) => void): T[] {
  if (!Array.isArray(list)) throw notTheApi(what, `the ${kind} list is not a list`);
  if (list.length > MAX_CONTENT_ITEMS_PER_LEVEL) {
    throw notTheApi(what, `it lists ${list.length} ${kind}s, more than the ${MAX_CONTENT_ITEMS_PER_LEVEL} a level is read with`);
  }
  const ok: T[] = [];
  list.forEach((x, i) => {
    const problem = isObject(x) ? problemOf(x) : 'not an object';
    if (problem) dropped?.(`${kind} ${i + 1} of ${list.length} (${displayText(isObject(x) ? idOf(x) : undefined, 64)}): ${problem}`);
    else ok.push(map(x as Json));
  });
  return ok;
}

/** GET /images/json. */
export function checkImageList(body: unknown, what: string, dropped?: (problem: string) => void): LevelImage[] {
  return checkList(body, what, 'image', (i) => i.Id, imageProblem, (i) => ({
    id: i.Id as string,
    // The 20.10 engine reports an untagged image as "<none>:<none>".
    tags: ((i.RepoTags as string[] | null) ?? []).filter((t) => t !== '<none>:<none>'),
    digests: ((i.RepoDigests as string[] | null) ?? []).filter((d) => d !== '<none>@<none>'),
    created: i.Created as number,
    sizeBytes: i.Size as number,
    labels: (i.Labels as Record<string, string> | null) ?? {},
  }), dropped);
}

/** GET /volumes: an object whose Volumes is a list (or null when there are none). */
export function checkVolumeList(body: unknown, what: string, dropped?: (problem: string) => void): LevelVolume[] {
  if (!isObject(body)) throw notTheApi(what, 'the volume listing is not an object');
  return checkList(body.Volumes ?? [], what, 'volume', (v) => v.Name, volumeProblem, (v) => ({
    name: v.Name as string,
    driver: v.Driver as string,
    mountpoint: (v.Mountpoint as string | undefined) ?? '',
    labels: (v.Labels as Record<string, string> | null) ?? {},
    scope: (v.Scope as string | undefined) ?? 'local',
    createdAt: (v.CreatedAt as string | undefined) ?? undefined,
  }), dropped);
}

/** GET /networks. */
export function checkNetworkList(body: unknown, what: string, dropped?: (problem: string) => void): LevelNetwork[] {
  return checkList(body, what, 'network', (n) => n.Id, networkProblem, (n) => ({
    id: n.Id as string,
    name: n.Name as string,
    driver: n.Driver as string,
    scope: (n.Scope as string | undefined) ?? 'local',
    internal: (n.Internal as boolean | undefined) ?? false,
    labels: (n.Labels as Record<string, string> | null) ?? {},
    created: (n.Created as string | undefined) ?? undefined,
  }), dropped);
}

/** An inspect answer (image, volume, network): an object, else the level lies. */
export function checkInspectDocument(body: unknown, what: string, kind: string): Record<string, unknown> {
  if (!isObject(body)) throw notTheApi(what, `the ${kind} inspect answer is not an object`);
  return body;
}
