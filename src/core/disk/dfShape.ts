import { DockerLevelsError } from '../errors';
import { displayText } from '../untrusted/displayText';
import { MAX_CONTAINERS_PER_LEVEL } from '../untrusted/limits';

/** The parts of GET /system/df that disk use, prune and orphan finding read. */
export interface SystemDf {
  LayersSize: number;
  Images: DfImage[];
  Containers: DfContainer[];
  Volumes: DfVolume[];
  BuildCache: DfBuildCache[];
}

export interface DfImage {
  Id: string;
  RepoTags: string[];
  Containers: number;
  Size: number;
  SharedSize: number;
}

export interface DfMount {
  Type: string;
  Name?: string;
  Destination: string;
}

export interface DfContainer {
  Id: string;
  Names: string[];
  State: string;
  SizeRw?: number;
  Labels?: Record<string, string>;
  Mounts?: DfMount[];
}

export interface DfVolume {
  Name: string;
  Driver: string;
  Labels?: Record<string, string> | null;
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface DfBuildCache {
  ID: string;
  Size: number;
  InUse: boolean;
  Shared: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= -1;
const isStringMap = (v: unknown): boolean => v === undefined || v === null || (isObject(v) && Object.values(v).every(isString));
const ID = /^(sha256:)?[0-9a-f]{12,64}$/;
/** More entries than any real daemon lists in one answer. */
const MAX_ENTRIES = MAX_CONTAINERS_PER_LEVEL * 5;

function image(v: unknown): string | undefined {
  if (!isObject(v)) return 'an image is not an object';
  if (!isString(v.Id) || !ID.test(v.Id)) return 'an image Id is not an image ID';
  if (v.RepoTags !== null && v.RepoTags !== undefined && !(Array.isArray(v.RepoTags) && v.RepoTags.every(isString))) return 'an image RepoTags is not a list of names';
  if (!isCount(v.Containers) || !isCount(v.Size) || !isCount(v.SharedSize)) return 'an image count or size is not a number';
  return undefined;
}

function container(v: unknown): string | undefined {
  if (!isObject(v)) return 'a container is not an object';
  if (!isString(v.Id) || !ID.test(v.Id)) return 'a container Id is not a container ID';
  if (!Array.isArray(v.Names) || !v.Names.every(isString)) return 'a container Names is not a list of names';
  if (!isString(v.State)) return 'a container State is not a string';
  if (v.SizeRw !== undefined && !isCount(v.SizeRw)) return 'a container SizeRw is not a size';
  if (!isStringMap(v.Labels)) return 'a container Labels is not a map of strings';
  if (v.Mounts !== undefined && v.Mounts !== null && !(Array.isArray(v.Mounts)
    && v.Mounts.every((m) => isObject(m) && isString(m.Type) && isString(m.Destination) && (m.Name === undefined || isString(m.Name))))) {
    return 'a container Mounts is not a list of mounts';
  }
  return undefined;
}

function volume(v: unknown): string | undefined {
  if (!isObject(v)) return 'a volume is not an object';
  if (!isString(v.Name) || !v.Name || !isString(v.Driver)) return 'a volume has no name or driver';
  if (!isStringMap(v.Labels)) return 'a volume Labels is not a map of strings';
  if (v.UsageData !== undefined && v.UsageData !== null && !(isObject(v.UsageData) && isCount(v.UsageData.Size) && isCount(v.UsageData.RefCount))) {
    return 'a volume UsageData is not a size and a count';
  }
  return undefined;
}

function cache(v: unknown): string | undefined {
  if (!isObject(v)) return 'a build cache record is not an object';
  if (!isString(v.ID) || !isCount(v.Size) || typeof v.InUse !== 'boolean' || typeof v.Shared !== 'boolean') return 'a build cache record has not the documented fields';
  return undefined;
}

function list(body: Json, key: string, check: (v: unknown) => string | undefined): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    body[key] = [];
    return undefined;
  }
  if (!Array.isArray(v)) return `${key} is not a list`;
  if (v.length > MAX_ENTRIES) return `${key} has ${v.length} entries, more than any daemon holds`;
  for (const entry of v) {
    const problem = check(entry);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * GET /system/df. The sums shown and the things prune removes come from here, so one entry of
 * the wrong shape fails the whole answer: a partial sum would be a wrong number.
 */
export function checkSystemDf(body: unknown, what: string): SystemDf {
  const problem = !isObject(body) ? 'it is not an object'
    : !isCount(body.LayersSize) && body.LayersSize !== undefined ? 'LayersSize is not a size'
      : list(body, 'Images', image) ?? list(body, 'Containers', container) ?? list(body, 'Volumes', volume) ?? list(body, 'BuildCache', cache);
  if (problem) {
    throw new DockerLevelsError('notADaemon', `The ${what} answered a disk use (/system/df) that is not the Docker Engine API: ${displayText(problem, 120)}.`,
      'Whatever serves it is not a Docker daemon, or it lies: its numbers are not shown.');
  }
  const df = body as unknown as SystemDf;
  df.LayersSize ??= 0;
  return df;
}
