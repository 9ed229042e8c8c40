import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { deadline } from '../abort';
import { Connection, describeConnection } from '../endpoints/endpoint';
import { DockerLevelsError } from '../errors';

/** A transport that hands out a fresh byte stream to its daemon per call (the exec tunnel). */
export interface RawStreamSource {
  openStream(signal?: AbortSignal): Promise<Duplex>;
}

export function isRawStreamSource(value: unknown): value is RawStreamSource {
  return typeof (value as Partial<RawStreamSource> | undefined)?.openStream === 'function';
}

/**
 * A fresh byte stream to the daemon behind `connection`, exactly what an HTTP client would
 * write its requests to; an upgraded request (attach, exec) goes on over the same stream.
 * Half-open is allowed, so a client's end of input reaches the daemon as such.
 */
export async function openConnectionStream(connection: Connection, timeoutMs: number, signal?: AbortSignal): Promise<Duplex> {
  switch (connection.kind) {
    case 'unix':
    case 'npipe':
      return dial(() => net.connect({ path: connection.socketPath, allowHalfOpen: true }), 'connect', timeoutMs, signal);
    case 'tcp': {
      const { host, port, tls: material } = connection;
      if (!material) return dial(() => net.connect({ host, port, allowHalfOpen: true }), 'connect', timeoutMs, signal);
      const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
        host, port, ca: material.ca, cert: material.cert, key: material.key,
        // Honoured by tls.connect, though missing from its typings.
        allowHalfOpen: true,
        servername: net.isIP(host) ? undefined : host,
        // Same trust rule as the level's API client (dockerClient.ts): the chain, not the name.
        ...(material.skipHostnameCheck ? { checkServerIdentity: () => undefined } : {}),
      };
      return dial(() => tls.connect(options), 'secureConnect', timeoutMs, signal);
    }
    case 'agent':
      if (isRawStreamSource(connection.agent)) return connection.agent.openStream(signal);
      throw new DockerLevelsError('unreachable', `${connection.description} cannot open a raw stream to its daemon.`);
    case 'ssh':
    case 'command':
      // Its streams come from the one agent its level owns (streamingConnection), never a new one.
      throw new DockerLevelsError('badInput', `${describeConnection(connection)} opens streams only through its level's own agent.`);
  }
}

/** Connects, and settles once `readyEvent` fires; a timeout or cancel destroys the socket. */
function dial(connect: () => net.Socket, readyEvent: 'connect' | 'secureConnect', timeoutMs: number, signal?: AbortSignal): Promise<Duplex> {
  if (signal?.aborted) return Promise.reject(new DockerLevelsError('cancelled', 'Connecting: cancelled.'));
  const stop = deadline(timeoutMs, signal);
  return new Promise<Duplex>((resolve, reject) => {
    const socket = connect();
    const settle = (err?: Error) => {
      stop.removeEventListener('abort', onAbort);
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve(socket);
      }
    };
    const onReady = () => settle();
    const onError = (err: Error) => settle(err);
    const onAbort = () => settle(signal?.aborted
      ? new DockerLevelsError('cancelled', 'Connecting: cancelled.')
      : Object.assign(new Error(`connect timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    stop.addEventListener('abort', onAbort, { once: true });
  });
}
