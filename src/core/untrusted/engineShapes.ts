import type Docker from 'dockerode';
import { DockerLevelsError } from '../errors';
import { displayText } from './displayText';
import { MAX_CONTAINERS_PER_LEVEL } from './limits';

/**
 * The shapes of the Engine API answers Docker Levels reads, checked where they arrive: one
 * function per API type. What a lying level sends never reaches the code that uses it with
 * another type than the API documents.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isStringMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every(isString);
const CONTAINER_ID = /^[0-9a-f]{12,64}$/;

function notTheApi(what: string, detail: string): DockerLevelsError {
  return new DockerLevelsError('notADaemon', `The ${what} answered something that is not the Docker Engine API: ${detail}.`,
    'Whatever serves it is not a Docker daemon, or it lies: its answer is not shown.');
}

function isPort(v: unknown): v is Docker.Port {
  return isObject(v) && Number.isInteger(v.PrivatePort) && isString(v.Type)
    && (v.PublicPort === undefined || Number.isInteger(v.PublicPort)) && (v.IP === undefined || isString(v.IP));
}

/** Why one container entry does not have the documented shape, or undefined when it does. */
function containerProblem(c: unknown): string | undefined {
  if (!isObject(c)) return 'not an object';
  if (!isString(c.Id) || !CONTAINER_ID.test(c.Id)) return 'its Id is not a container ID';
  if (!isStringArray(c.Names)) return 'its Names is not a list of names';
  if (!isString(c.Image)) return 'its Image is not a string';
  if (!isString(c.State)) return 'its State is not a string';
  if (c.Status !== undefined && !isString(c.Status)) return 'its Status is not a string';
  if (c.Command !== undefined && !isString(c.Command)) return 'its Command is not a string';
  if (c.Labels !== undefined && c.Labels !== null && !isStringMap(c.Labels)) return 'its Labels are not a map of strings';
  if (c.Ports !== undefined && c.Ports !== null && !(Array.isArray(c.Ports) && c.Ports.every(isPort))) return 'its Ports are not a list of ports';
  if (c.Created !== undefined && typeof c.Created !== 'number') return 'its Created is not a number';
  return undefined;
}

/**
 * GET /containers/json. A body that is not a list fails the level; an entry of the wrong shape
 * is left out and reported through `dropped`, so the level's other containers stay listed.
 */
export function checkContainerList(body: unknown, what: string, dropped?: (problem: string) => void): Docker.ContainerInfo[] {
  if (!Array.isArray(body)) return fail(what, 'the container list is not a list');
  if (body.length > MAX_CONTAINERS_PER_LEVEL) return fail(what, `it lists ${body.length} containers, more than the ${MAX_CONTAINERS_PER_LEVEL} a level is read with`);
  const ok: Docker.ContainerInfo[] = [];
  body.forEach((c, i) => {
    const problem = containerProblem(c);
    if (problem) dropped?.(`container ${i + 1} of ${body.length} (${displayText(isObject(c) ? c.Id : undefined, 64)}): ${problem}`);
    else ok.push(c as unknown as Docker.ContainerInfo);
  });
  return ok;
}

/** GET /info: the fields that tell one daemon from another must be strings; counts numbers. */
export function checkDaemonInfo<T>(body: unknown, what: string): T {
  if (!isObject(body)) return fail(what, '/info is not an object');
  if (!isString(body.ID) || !body.ID) return fail(what, '/info has no daemon ID');
  if (!isString(body.Name)) return fail(what, '/info has no host name');
  for (const key of ['ServerVersion', 'OperatingSystem', 'OSType', 'Architecture', 'Driver']) {
    if (body[key] !== undefined && !isString(body[key])) return fail(what, `/info ${key} is not a string`);
  }
  for (const key of ['Containers', 'ContainersRunning', 'ContainersPaused', 'ContainersStopped', 'Images']) {
    if (body[key] !== undefined && !Number.isInteger(body[key])) return fail(what, `/info ${key} is not a count`);
  }
  return body as T;
}

/** An exit code from an exec or a wait: an integer 0–255, or an error that says what came. */
export function checkExitCode(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
  throw notTheApi(what, `the exit code ${displayText(typeof value === 'number' ? String(value) : value, 40)} is not an integer from 0 to 255`);
}

function fail(what: string, detail: string): never {
  throw notTheApi(what, detail);
}
