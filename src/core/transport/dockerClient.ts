import Docker from 'dockerode';
import * as http from 'node:http';
import * as https from 'node:https';
import { createSecureContext } from 'node:tls';
import { inspect } from 'node:util';
import type { Connection, TlsMaterial } from '../endpoints/endpoint';

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
      return new Docker({ socketPath: connection.socketPath, agent } as Docker.DockerOptions);
    }
    case 'tcp': {
      const tls = connection.tls;
      if (!tls) {
        // Its own agent, so closing the level closes its sockets and event streams too.
        const agent = labelled(new http.Agent({ keepAlive: true }), `http.Agent(${connection.host}:${connection.port})`);
        return new Docker({ host: connection.host, port: connection.port, protocol: 'http', agent } as Docker.DockerOptions);
      }
      // The CA was read out of the very container through its parent daemon, so the chain
      // proves identity; the address we dial (a published port, a bridge IP) need not be in
      // the certificate's names.
      const checkServerIdentity = tls.skipHostnameCheck ? () => undefined : undefined;
      return new Docker({
        host: connection.host,
        port: connection.port,
        protocol: 'https',
        agent: tlsAgent(tls, `${connection.host}:${connection.port}`, checkServerIdentity),
        ...(checkServerIdentity ? { checkServerIdentity } : {}),
      } as Docker.DockerOptions);
    }
    case 'ssh':
      return new Docker({
        protocol: 'ssh',
        host: connection.host,
        port: connection.port,
        username: connection.username,
        sshOptions: { agent: process.env.SSH_AUTH_SOCK },
      } as Docker.DockerOptions);
    case 'agent':
      // The agent ignores host and port: every connection it makes is a tunnel stream.
      return new Docker({ host: 'localhost', port: 2375, protocol: 'http', agent: connection.agent } as Docker.DockerOptions);
  }
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
