import type Docker from 'dockerode';
import { DockerLevelsError } from '../errors';
import { displayText } from './displayText';

/**
 * The one place each Engine API answer is checked for shape as it arrives. A level is whoever
 * is root in a container, so its answers may be any JSON at all.
 * Decision: an answer that is the wrong kind of thing (a list that is an object, /info that is
 * not an object) is an error on that level only; one malformed entry in a list is dropped and
 * counted, so the level's well-formed containers stay listed.
 */

const HINT = 'A real Docker daemon never answers this way; this level may not be what it claims.';

function malformed(what: string, why: string): DockerLevelsError {
  return new DockerLevelsError('notADaemon', `${displayText(what)} answered nonsense: ${why}.`, HINT);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function isContainerEntry(v: unknown): v is Docker.ContainerInfo {
  if (!isObject(v)) return false;
  if (typeof v.Id !== 'string' || !v.Id) return false;
  if (!isStringArray(v.Names)) return false;
  if (v.Image !== undefined && typeof v.Image !== 'string') return false;
  if (v.State !== undefined && typeof v.State !== 'string') return false;
  if (v.Labels !== undefined && v.Labels !== null
    && !(isObject(v.Labels) && Object.values(v.Labels).every((l) => typeof l === 'string'))) return false;
  if (v.Ports !== undefined && v.Ports !== null && !Array.isArray(v.Ports)) return false;
  return true;
}

/** GET /containers/json: a list of entries with a string Id and string Names. */
export function checkedContainerList(value: unknown, what: string): { containers: Docker.ContainerInfo[]; dropped: number } {
  if (!Array.isArray(value)) throw malformed(what, `the container list is ${value === null ? 'null' : typeof value}, not a list`);
  const containers = value.filter(isContainerEntry);
  return { containers, dropped: value.length - containers.length };
}

/** GET /info: an object whose ID and Name, when present, are strings. */
export function checkedInfo<T>(value: unknown, what: string): T {
  if (!isObject(value)) throw malformed(what, '/info is not an object');
  if (value.ID !== undefined && typeof value.ID !== 'string') throw malformed(what, '/info ID is not a string');
  if (value.Name !== undefined && typeof value.Name !== 'string') throw malformed(what, '/info Name is not a string');
  return value as T;
}
