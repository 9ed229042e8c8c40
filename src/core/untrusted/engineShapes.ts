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

const isOptional = (v: unknown, check: (x: unknown) => boolean) => v === undefined || v === null || check(v);

/** Why a container inspect answer does not have the parts Docker Levels reads, or undefined. */
function inspectProblem(b: Json): string | undefined {
  if (!isString(b.Id) || !CONTAINER_ID.test(b.Id)) return 'its Id is not a container ID';
  if (!isString(b.Name)) return 'its Name is not a string';
  if (!isObject(b.State) || typeof b.State.Running !== 'boolean' || !isString(b.State.Status)) return 'its State is not a container state';
  const config = b.Config;
  if (!isObject(config)) return 'its Config is not an object';
  if (!isOptional(config.Hostname, isString) || !isOptional(config.Image, isString)) return 'its Config Hostname or Image is not a string';
  if (!isOptional(config.Env, isStringArray)) return 'its Config Env is not a list of strings';
  if (!isOptional(config.Labels, isStringMap)) return 'its Config Labels are not a map of strings';
  if (!isOptional(config.ExposedPorts, isObject)) return 'its Config ExposedPorts is not an object';
  if (!isOptional(b.HostConfig, isObject)) return 'its HostConfig is not an object';
  const net = b.NetworkSettings;
  if (!isObject(net)) return 'its NetworkSettings is not an object';
  const binding = (x: unknown) => isObject(x) && isOptional(x.HostIp, isString) && isOptional(x.HostPort, isString);
  if (!isOptional(net.Ports, (p) => isObject(p) && Object.values(p).every((v) => isOptional(v, (l) => Array.isArray(l) && l.every(binding))))) {
    return 'its port bindings are not the Engine API\'s';
  }
  if (!isOptional(net.Networks, (n) => isObject(n) && Object.values(n).every((v) => isObject(v) && isOptional(v.IPAddress, isString)))) {
    return 'its Networks are not the Engine API\'s';
  }
  return undefined;
}

/** GET /containers/{id}/json: the parts that discovery, exec and the forwarder's watch read. */
export function checkContainerInspect<T>(body: unknown, what: string): T {
  if (!isObject(body)) return fail(what, 'the container inspect answer is not an object');
  const problem = inspectProblem(body);
  if (problem) return fail(what, `the container inspect answer: ${problem}`);
  return body as T;
}

/** GET /exec/{id}/json: Running a boolean, ExitCode null or a number (checked as an exit code where used). */
export function checkExecInspect<T>(body: unknown, what: string): T {
  if (!isObject(body) || typeof body.Running !== 'boolean' || !isOptional(body.ExitCode, (x) => typeof x === 'number')) {
    return fail(what, 'the exec inspect answer has no Running state or a non-numeric ExitCode');
  }
  return body as T;
}

/** One object of GET /events, reduced to what Docker Levels reads; undefined when it is not an event. */
export function checkEvent(body: unknown): { type: string | undefined; action: string; id: string; time: number } | undefined {
  if (!isObject(body)) return undefined;
  const actor = isObject(body.Actor) ? body.Actor : undefined;
  const id = isString(actor?.ID) ? actor.ID : isString(body.id) ? body.id : undefined;
  const action = isString(body.Action) ? body.Action : isString(body.status) ? body.status : undefined;
  if (!id || action === undefined || !isOptional(body.time, (t) => Number.isSafeInteger(t) && (t as number) >= 0)) return undefined;
  if (!isOptional(body.Type, isString)) return undefined;
  return { type: isString(body.Type) ? body.Type : undefined, action, id, time: typeof body.time === 'number' ? body.time : 0 };
}

/** An exit code from an exec or a wait: an integer 0–255, or an error that says what came. */
export function checkExitCode(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
  throw notTheApi(what, `the exit code ${displayText(typeof value === 'number' ? String(value) : value, 40)} is not an integer from 0 to 255`);
}

const FULL_CONTAINER_ID = /^[0-9a-f]{64}$/;
/** Real exec IDs are 64 hex; anything else used in a URL path must at least be a plain token. */
const EXEC_ID = /^[0-9A-Za-z]{1,128}$/;
const isWarnings = (v: unknown) => isOptional(v, isStringArray);

/** POST /containers/create: the new container's full ID, and the daemon's warnings. */
export function checkContainerCreate(body: unknown, what: string): { id: string; warnings: string[] } {
  if (!isObject(body) || !isString(body.Id) || !FULL_CONTAINER_ID.test(body.Id)) return fail(what, 'the create answer has no 64-hex container ID');
  if (!isWarnings(body.Warnings)) return fail(what, 'the create answer\'s Warnings are not a list of strings');
  return { id: body.Id, warnings: (body.Warnings as string[] | null | undefined) ?? [] };
}

/** POST /containers/{id}/exec: the exec's ID. */
export function checkExecCreate(body: unknown, what: string): string {
  if (!isObject(body) || !isString(body.Id) || !EXEC_ID.test(body.Id)) return fail(what, 'the exec create answer has no exec ID');
  return body.Id;
}

/** DELETE /images/{name}: a list of what was untagged and deleted. */
export function checkImageDelete(body: unknown, what: string): { untagged: string[]; deleted: string[] } {
  // An image removed by a daemon that says nothing (some older ones answer 200 with no body).
  if (body === undefined || body === null || body === '') return { untagged: [], deleted: [] };
  if (!Array.isArray(body)) return fail(what, 'the image delete answer is not a list');
  const out = { untagged: [] as string[], deleted: [] as string[] };
  for (const entry of body) {
    if (!isObject(entry) || !isOptional(entry.Untagged, isString) || !isOptional(entry.Deleted, isString)) {
      return fail(what, 'an image delete entry is not {Untagged, Deleted}');
    }
    if (isString(entry.Untagged)) out.untagged.push(entry.Untagged);
    if (isString(entry.Deleted)) out.deleted.push(entry.Deleted);
  }
  return out;
}

/** POST /build/prune: the bytes freed (undefined when the daemon does not say). */
export function checkBuildPrune(body: unknown, what: string): { spaceReclaimed: number | undefined } {
  if (!isObject(body)) return fail(what, 'the build cache prune answer is not an object');
  if (!isOptional(body.CachesDeleted, isStringArray)) return fail(what, 'the build cache prune answer\'s CachesDeleted is not a list of strings');
  const freed = body.SpaceReclaimed;
  if (!isOptional(freed, (n) => Number.isSafeInteger(n) && (n as number) >= 0)) return fail(what, 'the build cache prune answer\'s SpaceReclaimed is not a byte count');
  return { spaceReclaimed: typeof freed === 'number' ? freed : undefined };
}

function fail(what: string, detail: string): never {
  throw notTheApi(what, detail);
}
