import type * as http from 'node:http';
import * as net from 'node:net';
import { DockerLevelsError } from '../errors';

/** Client certificate material, kept in memory only. */
export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  /** Certs that were read out of a container are trusted by chain only, not by host name. */
  skipHostnameCheck?: boolean;
}

/** How bytes reach one daemon. */
export type Connection =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'npipe'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls?: TlsMaterial }
  /** Port and user only when written: else OpenSSH's config (or its defaults) decides. */
  | { kind: 'ssh'; host: string; port?: number; username?: string }
  /** A program whose stdin and stdout speak the Engine API, run with no shell. */
  | { kind: 'command'; argv: readonly string[] }
  | { kind: 'agent'; agent: http.Agent; description: string };

/** A root daemon: one the user points at, not one found inside a container. */
export interface RootEndpoint {
  /** Stable id, part of every level id below this root. */
  id: string;
  label: string;
  /** The endpoint as the user wrote it (never contains key material). */
  url: string;
  source: 'env' | 'context' | 'default' | 'settings' | 'cli';
  connection: Connection;
}

const SCHEMES = ['unix', 'tcp', 'ssh', 'npipe'];
/** A DNS name or IPv4 address: no spaces or other stray characters. */
const HOST = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const SSH_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Parses a Docker endpoint the way `DOCKER_HOST` is written. Errors name the bad part.
 */
export function parseEndpointUrl(raw: string, tls?: TlsMaterial): Connection {
  const text = raw.trim();
  if (!text) throw badEndpoint(raw, 'it is empty');
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text);
  if (!schemeMatch) throw badEndpoint(raw, `it has no scheme; write it as unix:///path, tcp://host:port or ssh://user@host`);
  const scheme = schemeMatch[1].toLowerCase();
  if (!SCHEMES.includes(scheme)) {
    throw badEndpoint(raw, `the scheme "${scheme}://" is not supported; use unix://, tcp://, ssh:// or npipe://`);
  }
  const rest = text.slice(schemeMatch[0].length);
  if (scheme === 'unix' || scheme === 'npipe') {
    if (!rest) throw badEndpoint(raw, 'the socket path is missing');
    const socketPath = scheme === 'unix' && !rest.startsWith('/') ? `/${rest}` : rest;
    return { kind: scheme, socketPath };
  }
  const m = /^(?:([^@/]+)@)?(\[[^\]]*\]|[^:/]*)(?::([^/]*))?(\/.*)?$/.exec(rest);
  if (!m) throw badEndpoint(raw, `"${rest}" is not host[:port]`);
  const [, username, hostPart, portText, pathPart] = m;
  if (hostPart.startsWith('[') && !hostPart.endsWith(']')) throw badEndpoint(raw, `the "[" before the IPv6 address in "${rest}" is never closed`);
  const host = hostPart.replace(/^\[|\]$/g, '');
  if (!host) throw badEndpoint(raw, 'the host is missing');
  if (hostPart.startsWith('[') ? !net.isIPv6(host) : !HOST.test(host)) {
    throw badEndpoint(raw, `the host "${hostPart}" is not a host name or IP address`);
  }
  if (pathPart && pathPart !== '/') throw badEndpoint(raw, `the path "${pathPart}" is not allowed here`);
  if (username && scheme !== 'ssh') throw badEndpoint(raw, `a user name ("${username}@") only goes with ssh://`);
  // A user name goes to ssh as the value of -l, never as an option of its own.
  if (username && !SSH_USER.test(username)) throw badEndpoint(raw, `the user name "${username}" has characters ssh does not take`);
  let port: number | undefined = scheme === 'ssh' ? undefined : tls ? 2376 : 2375;
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText)) throw badEndpoint(raw, `the port "${portText}" is not a number`);
    port = Number(portText);
    if (port < 1 || port > 65535) throw badEndpoint(raw, `the port ${port} is out of range (1-65535)`);
  }
  if (scheme === 'ssh') return { kind: 'ssh', host, ...(port ? { port } : {}), ...(username ? { username } : {}) };
  return { kind: 'tcp', host, port: port as number, tls };
}

function badEndpoint(raw: string, why: string): DockerLevelsError {
  return new DockerLevelsError('badInput', `Endpoint "${raw}" is not valid: ${why}.`,
    'Examples: unix:///var/run/docker.sock, tcp://127.0.0.1:2375, ssh://user@host.');
}

/** Human text for a connection, never including key material. */
export function describeConnection(c: Connection): string {
  switch (c.kind) {
    case 'unix': return `unix://${c.socketPath}`;
    case 'npipe': return `npipe://${c.socketPath}`;
    case 'tcp': return `${c.tls ? 'tls' : 'tcp'}://${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}`;
    case 'ssh': return `ssh://${c.username ? `${c.username}@` : ''}${c.host}${c.port ? `:${c.port}` : ''}`;
    case 'command': return `command: ${c.argv.join(' ')}`;
    case 'agent': return c.description;
  }
}

/** True when the connection ends on this machine, so published ports are on 127.0.0.1. */
export function isLocalConnection(c: Connection): boolean {
  if (c.kind === 'unix' || c.kind === 'npipe') return true;
  if (c.kind === 'tcp') return c.host === 'localhost' || c.host === '::1' || c.host.startsWith('127.');
  return false;
}
