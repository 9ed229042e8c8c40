import Docker from 'dockerode';
import type { Connection } from '../endpoints/endpoint';

/**
 * A dockerode client for one connection. No request timeout is set here: event and log
 * streams must stay open for hours, so callers put deadlines on single calls (see abort.ts).
 */
export function createDockerClient(connection: Connection): Docker {
  switch (connection.kind) {
    case 'unix':
    case 'npipe':
      return new Docker({ socketPath: connection.socketPath });
    case 'tcp': {
      const tls = connection.tls;
      if (!tls) return new Docker({ host: connection.host, port: connection.port, protocol: 'http' });
      return new Docker({
        host: connection.host,
        port: connection.port,
        protocol: 'https',
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        // The CA was read out of the very container through its parent daemon, so the chain
        // proves identity; the address we dial (a published port, a bridge IP) need not be in
        // the certificate's names.
        ...(tls.skipHostnameCheck ? { checkServerIdentity: () => undefined } : {}),
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

/** Closes pooled keep-alive sockets of a client (and with them any tunnel streams). */
export function destroyDockerClient(docker: Docker): void {
  const modem = (docker as unknown as { modem?: { agent?: { destroy(): void } } }).modem;
  modem?.agent?.destroy();
}
