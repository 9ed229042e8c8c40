import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerLevelsError } from '../errors';
import { describeConnection, parseEndpointUrl, RootEndpoint, TlsMaterial } from './endpoint';

export interface LocalEnvironment {
  env: NodeJS.ProcessEnv;
  homeDir: string;
  platform: NodeJS.Platform;
}

export function currentEnvironment(): LocalEnvironment {
  return { env: process.env, homeDir: os.homedir(), platform: process.platform };
}

function dockerConfigDir(e: LocalEnvironment): string {
  return e.env.DOCKER_CONFIG || path.join(e.homeDir, '.docker');
}

function readTlsDir(dir: string, what: string): TlsMaterial {
  const file = (name: string) => {
    const p = path.join(dir, name);
    try {
      return readFileSync(p);
    } catch {
      throw new DockerLevelsError('tls', `${what}: cannot read ${p}.`, 'Check DOCKER_CERT_PATH or the context TLS files.');
    }
  };
  return { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem') };
}

/**
 * The local daemon, found the way the docker CLI finds it: DOCKER_HOST, else the current
 * context (DOCKER_CONTEXT or config.json), else the default socket.
 */
export function resolveLocalEndpoint(e: LocalEnvironment = currentEnvironment()): RootEndpoint {
  const host = e.env.DOCKER_HOST?.trim();
  if (host) {
    const tls = e.env.DOCKER_TLS_VERIFY && e.env.DOCKER_TLS_VERIFY !== '0'
      ? readTlsDir(e.env.DOCKER_CERT_PATH || dockerConfigDir(e), 'DOCKER_TLS_VERIFY')
      : undefined;
    return { id: 'local', label: 'local', url: host, source: 'env', connection: parseEndpointUrl(host, tls) };
  }
  const contextName = e.env.DOCKER_CONTEXT?.trim() || readCurrentContext(e);
  if (contextName && contextName !== 'default') return resolveContext(contextName, e);
  const socketPath = e.platform === 'win32' ? '//./pipe/docker_engine' : '/var/run/docker.sock';
  const url = e.platform === 'win32' ? `npipe://${socketPath}` : `unix://${socketPath}`;
  return { id: 'local', label: 'local', url, source: 'default', connection: parseEndpointUrl(url) };
}

function readCurrentContext(e: LocalEnvironment): string | undefined {
  const file = path.join(dockerConfigDir(e), 'config.json');
  if (!existsSync(file)) return undefined;
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: string };
    return config.currentContext || undefined;
  } catch (err) {
    throw new DockerLevelsError('badInput', `${file} is not valid JSON: ${(err as Error).message}.`, 'Fix or remove the file.');
  }
}

interface ContextMeta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

/** A docker context by name, read from the CLI's context store. */
export function resolveContext(name: string, e: LocalEnvironment = currentEnvironment()): RootEndpoint {
  const digest = createHash('sha256').update(name).digest('hex');
  const base = dockerConfigDir(e);
  const metaFile = path.join(base, 'contexts', 'meta', digest, 'meta.json');
  if (!existsSync(metaFile)) {
    throw new DockerLevelsError('badInput', `Docker context "${name}" does not exist (no ${metaFile}).`,
      'Run `docker context ls` to see the contexts, or unset DOCKER_CONTEXT.');
  }
  let meta: ContextMeta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ContextMeta;
  } catch (err) {
    throw new DockerLevelsError('badInput', `Docker context "${name}" has unreadable metadata: ${(err as Error).message}.`,
      `Recreate it with \`docker context rm ${name}\` and \`docker context create\`, or use another context.`);
  }
  const host = meta.Endpoints?.docker?.Host;
  if (!host) {
    throw new DockerLevelsError('badInput', `Docker context "${name}" has no docker endpoint.`,
      `Set one with \`docker context update ${name} --docker host=...\`, or use another context.`);
  }
  const tlsDir = path.join(base, 'contexts', 'tls', digest, 'docker');
  const tls = existsSync(path.join(tlsDir, 'key.pem')) ? readTlsDir(tlsDir, `Docker context "${name}"`) : undefined;
  return { id: `context-${name}`, label: name, url: host, source: 'context', connection: parseEndpointUrl(host, tls) };
}

/** An entry of dockerLevels.endpoints or a CLI flag: a daemon address, or a command that speaks the API. */
export interface EndpointEntry {
  name?: string;
  url?: string;
  /** argv of a program whose stdin and stdout speak the Engine API; run with no shell. */
  command?: readonly string[];
}

/** Extra root daemons from settings or the command line. */
export function endpointFromSetting(entry: EndpointEntry, source: RootEndpoint['source'] = 'settings'): RootEndpoint {
  if (entry.command !== undefined) {
    if (entry.url !== undefined) {
      throw new DockerLevelsError('badInput', `Endpoint "${entry.name ?? entry.url}" has both "url" and "command".`, 'Give one of them.');
    }
    const connection = { kind: 'command' as const, argv: checkCommand(entry.command) };
    const url = describeConnection(connection);
    const label = entry.name?.trim() || entry.command.join(' ');
    return { id: `${source}-${label}`, label, url, source, connection };
  }
  if (typeof entry.url !== 'string') {
    throw new DockerLevelsError('badInput', `Endpoint "${entry.name ?? '?'}" has neither "url" nor "command".`,
      'Examples: {"url": "ssh://user@host"}, {"command": ["docker", "exec", "-i", "dind", "docker", "system", "dial-stdio"]}.');
  }
  const connection = parseEndpointUrl(entry.url);
  const label = entry.name?.trim() || entry.url;
  return { id: `${source}-${label}`, label, url: entry.url, source, connection };
}

function checkCommand(command: readonly unknown[]): string[] {
  if (!Array.isArray(command) || command.length === 0 || !command.every((w) => typeof w === 'string') || !command[0]) {
    throw new DockerLevelsError('badInput', 'An endpoint "command" must be a non-empty list of words, the program first.',
      'Example: ["kubectl", "exec", "-i", "-c", "dind", "POD", "--", "docker", "system", "dial-stdio"].');
  }
  return [...command] as string[];
}

/**
 * Splits `--host-command` text into words as a shell would, without one: quotes ('…' and
 * "…") and backslashes group and escape, and nothing is expanded or run.
 */
export function splitCommandWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
    } else if (ch === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i];
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote) throw new DockerLevelsError('badInput', `The command "${text}" has an unclosed ${quote}.`);
  if (word !== undefined) words.push(word);
  return words;
}
