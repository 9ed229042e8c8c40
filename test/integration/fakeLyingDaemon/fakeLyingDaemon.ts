import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A FAKE Docker daemon that lies: a real dockerd cannot be made to send a 2 GB list. It
 * listens on 127.0.0.1 only, on a port the system picks, and answers each path as told.
 */
export type FakeAnswer = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface FakeLyingDaemon {
  port: number;
  close(): Promise<void>;
}

export async function startFakeLyingDaemon(answers: Record<string, FakeAnswer>): Promise<FakeLyingDaemon> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').replace(/^\/v[0-9.]+/, '').split('?')[0];
    const answer = answers[path] ?? answers[path.replace(/^\/containers\/[^/]+\//, '/containers/:id/')];
    if (answer) return answer(req, res);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'not faked' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Streams `total` bytes of a JSON array that never ends in time, honouring backpressure. */
export function hugeJsonBody(total: number): FakeAnswer {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < total && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => { sent = total; });
    res.write('[');
    pump();
  };
}

/** Answers with this JSON, whatever it is. */
export function jsonAnswer(value: unknown): FakeAnswer {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
}
