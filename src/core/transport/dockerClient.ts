import Docker from 'dockerode';
import * as http from 'node:http';
import * as https from 'node:https';
import { createSecureContext } from 'node:tls';
import { inspect } from 'node:util';
import { Connection, describeConnection, TlsMaterial } from '../endpoints/endpoint';
import { Logger, silentLogger } from '../log';
import { CommandStreamAgent, fixedCommandSource } from './commandStream';
import { boundFailedStreamBodies } from './modemFailureBody';
import { SshCommandSource } from './sshCommand';

/**
 * A dockerode client for one connection. No request timeout is set here: event and log
 * streams must stay open for hours, so callers put deadlines on single calls (see abort.ts).
 */
export function createDockerClient(connection: Connection): Docker {
  switch (connection.kind) {
    case 'unix':
    case 'npipe': {
      // Its own agent rather than Node's global one, so closing the client closes its sockets.
      const agent = labelled(new http.Agent({ keepAlive: true }), `http.Agent(${connection.socketPath})`);
      return newDocker(explicit({ socketPath: connection.socketPath, protocol: 'http', agent }));
    }
    case 'tcp': {
      const tls = connection.tls;
      if (!tls) {
        // Its own agent, so closing the level closes its sockets and event streams too.
        const agent = labelled(new http.Agent({ keepAlive: true }), `http.Agent(${connection.host}:${connection.port})`);
        return newDocker(explicit({ host: connection.host, port: connection.port, protocol: 'http', agent }));
      }
      // The CA was read out of the very container through its parent daemon, so the chain
      // proves identity; the address we dial (a published port, a bridge IP) need not be in
      // the certificate's names.
      const checkServerIdentity = tls.skipHostnameCheck ? () => undefined : undefined;
      return newDocker(explicit({
        host: connection.host,
        port: connection.port,
        protocol: 'https',
        agent: tlsAgent(tls, `${connection.host}:${connection.port}`, checkServerIdentity),
        ...(checkServerIdentity ? { checkServerIdentity } : {}),
      }));
    }
    case 'ssh':
    case 'command':
      return createDockerClient(streamingConnection(connection));
    case 'agent':
      // The agent ignores host and port: every connection it makes is a tunnel stream.
      return newDocker(explicit({ host: 'localhost', port: 2375, protocol: 'http', agent: connection.agent }));
  }
}

/**
 * ssh:// and command roots as an agent connection: one agent makes every stream of the root
 * (API requests and raw forwarded streams alike), so it owns the one ssh master behind them.
 * docker-modem's own ssh transport is not used: it made a new SSH connection per HTTP
 * connection, accepted any host key, and read no ssh config.
 */
export function streamingConnection(connection: Connection, options: { timeoutMs?: number; log?: Logger } = {}): Connection {
  const log = options.log ?? silentLogger;
  if (connection.kind === 'ssh') {
    const source = new SshCommandSource(connection, options.timeoutMs ?? 10_000, log);
    return { kind: 'agent', agent: new CommandStreamAgent(source, log), description: source.label };
  }
  if (connection.kind === 'command') {
    const description = describeConnection(connection);
    return { kind: 'agent', agent: new CommandStreamAgent(fixedCommandSource(connection.argv, description), log), description };
  }
  return connection;
}

/**
 * Every option docker-modem would otherwise take from the user's environment, set here.
 * Its defaults read DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH and are merged under
 * the options given: without this a socket client took the user's DOCKER_HOST as its host,
 * and every client, nested levels included, carried the user's own key, cert and CA.
 */
function explicit(options: Docker.DockerOptions & { agent?: http.Agent }): Docker.DockerOptions {
  return {
    socketPath: undefined, host: undefined, port: undefined, version: undefined,
    key: undefined, cert: undefined, ca: undefined,
    ...options,
  } as Docker.DockerOptions;
}

const MODEM_ENV = ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'] as const;

/**
 * docker-modem computes its env defaults even when every option is given: it reads the key
 * files (and throws on a bad DOCKER_HOST or an unreadable cert). The constructor is
 * synchronous, so hiding those variables for its duration hides them from it alone.
 */
function newDocker(options: Docker.DockerOptions): Docker {
  const saved = MODEM_ENV.map((name) => [name, process.env[name]] as const);
  for (const [name] of saved) delete process.env[name];
  let docker: Docker;
  try {
    docker = new Docker(options);
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
  boundFailedStreamBodies(docker);
  ownClients.add(docker);
  return docker;
}

/** Clients made here: only they are known to dial as jsonRequestFor expects, with bounded failures. */
const ownClients = new WeakSet<Docker>();

export function isOwnClient(docker: Docker): boolean {
  return ownClients.has(docker);
}

/**
 * The client's own https agent, holding the key only inside an OpenSSL context. docker-modem
 * formats every request's options with util.inspect (and prints them with DEBUG=modem):
 * given key, cert and ca as options, the key's bytes went into that text. Its own agent also
 * lets dispose close the client's TLS sockets.
 */
function tlsAgent(tls: TlsMaterial, where: string, checkServerIdentity: (() => undefined) | undefined): https.Agent {
  return labelled(new https.Agent({
    keepAlive: true,
    secureContext: createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key }),
    ...(checkServerIdentity ? { checkServerIdentity } : {}),
  }), `https.Agent(${where})`);
}

/**
 * docker-modem formats every request's options with util.inspect (showHidden, no depth limit)
 * even with debug logging off: an agent shows as this label instead of its socket pool.
 */
function labelled<A extends http.Agent>(agent: A, label: string): A {
  Object.defineProperty(agent, inspect.custom, { value: () => label });
  return agent;
}

/** Closes pooled keep-alive sockets of a client (and with them any tunnel streams). */
export function destroyDockerClient(docker: Docker): void {
  const modem = (docker as unknown as { modem?: { agent?: { destroy(): void } } }).modem;
  modem?.agent?.destroy();
}
