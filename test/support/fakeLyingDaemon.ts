/**
 * A FAKE Docker daemon that lies: an HTTP server on 127.0.0.1 only, answering the few Engine
 * API paths Docker Levels reads with whatever a hostile level would send. A real dockerd cannot
 * be made to lie, so this is the one place the tests use a fake for a daemon.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface LyingAnswers {
  /** The /info body (an object is sent as JSON). */
  info?: unknown;
  /** The /containers/json body, or 'huge' for an endless listing of `hugeBytes`. */
  containers?: unknown | 'huge';
  hugeBytes?: number;
  /** Each container in the list gets a nested fake daemon of its own behind a published port. */
  inventLevels?: number;
  /** Listen on this port of 127.0.0.1 (to take over the port of a daemon that died). */
  port?: number;
  /** Every answer (of every invented level too) comes this late: slow enough, never too slow. */
  slowMs?: number;
  /** Answers of the root fake for paths the built-in ones do not cover, or cover honestly; first match wins. */
  routes?: readonly LyingRoute[];
  /** What an exec started on the root fake prints (any exec not of an invented level), before it ends. */
  execOutput?: string;
}

/** One lying answer: a body for every request whose "METHOD /path?query" (no /v1.x prefix) matches. */
export interface LyingRoute {
  match: RegExp;
  status?: number;
  /** A string is sent as it is; anything else as JSON; 'huge' is an endless JSON list of `hugeBytes` (with `status` too). */
  body: unknown;
  /** Keep the answer open after the body, as /events does. */
  keepOpen?: boolean;
}

export interface FakeLevel {
  readonly port: number;
  readonly url: string;
  /** Bytes of the endless listing actually sent before the client hung up. */
  readonly hugeSent: () => number;
  /** Fake levels listened on so far (this one and every invented one). */
  readonly levelsServed: () => number;
  /** Every request the root fake received, as "METHOD /path", with the bytes of its body. */
  readonly requests: () => readonly { line: string; bodyBytes: number }[];
  /** From now on every fake level (the root and every invented one) answers /info with a new daemon ID. */
  reidentify(): void;
  close(): Promise<void>;
}

const shortId = () => randomBytes(32).toString('hex');

/** Starts a lying daemon; with `inventLevels`, every container it lists is another one. */
export async function startFakeLyingDaemon(answers: LyingAnswers): Promise<FakeLevel> {
  const servers: http.Server[] = [];
  const requests: { line: string; bodyBytes: number }[] = [];
  let hugeSent = 0;
  // Each fake daemon keeps its ID, as a real one does, until reidentify().
  let generation = 0;

  const serve = async (hostname: string, port = 0): Promise<number> => {
    // Invented levels listed so far; each gets its fake daemon when first inspected, so a wide
    // invented tree costs servers only for the levels actually opened.
    const invented = new Map<string, Promise<number> | undefined>();
    const daemonOf = (id: string) => {
      if (!invented.has(id)) return undefined;
      const port = invented.get(id) ?? serve(id.slice(0, 12));
      invented.set(id, port);
      return port;
    };
    const inventedEntry = (id: string, i: number) => ({
      Id: id, Names: [`/level-${i}`], Image: 'docker:dind', State: 'running', Status: 'Up', Command: 'dockerd-entrypoint.sh',
      Labels: {}, Ports: [{ PrivatePort: 2375, Type: 'tcp' }],
    });
    const ids = new Map<number, string>();
    const daemonId = () => {
      if (!ids.has(generation)) ids.set(generation, `FAKE:${hostname}:${shortId()}`);
      return ids.get(generation)!;
    };
    const server = http.createServer((req, res) => {
      const seen = { line: `${req.method} ${req.url}`, bodyBytes: 0 };
      if (servers[0] === server) requests.push(seen);
      req.on('data', (c: Buffer) => { seen.bodyBytes += c.length; });
      void answer(req, res).catch(() => res.destroy());
    });
    const answer = async (req: http.IncomingMessage, res: http.ServerResponse) => {
      const url = req.url ?? '/';
      if (answers.slowMs) await new Promise((resolve) => setTimeout(resolve, answers.slowMs));
      const json = (body: unknown) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Api-Version': '1.41' });
        res.end(JSON.stringify(body));
      };
      if (servers[0] === server) {
        const line = `${req.method} ${url.replace(/^\/v[\d.]+\//, '/')}`;
        const route = answers.routes?.find((r) => r.match.test(line));
        if (route) {
          if (route.body === 'huge') return sendHuge(res, answers.hugeBytes ?? 2 * 1024 ** 3, (n) => { hugeSent += n; }, route.status);
          res.writeHead(route.status ?? 200, { 'Content-Type': 'application/json', 'Api-Version': '1.41' });
          const text = typeof route.body === 'string' ? route.body : JSON.stringify(route.body);
          return void (route.keepOpen ? res.write(text) : res.end(text));
        }
      }
      if (url.startsWith('/_ping')) return void res.writeHead(200, { 'Api-Version': '1.41' }).end('OK');
      if (url.startsWith('/version')) return json({ ApiVersion: '1.41', Version: '20.10.24' });
      if (url.startsWith('/info')) return json(answers.info ?? { ID: daemonId(), Name: hostname, ServerVersion: '20.10.24' });
      if (url.startsWith('/containers/json')) {
        if (answers.containers === 'huge') return sendHuge(res, answers.hugeBytes ?? 2 * 1024 ** 3, (n) => { hugeSent += n; });
        if (answers.inventLevels) {
          // The same invented containers at every listing, as a real daemon lists its own.
          if (invented.size) return json([...invented.keys()].map(inventedEntry));
          for (let i = 0; i < answers.inventLevels; i++) invented.set(shortId(), undefined);
          return json([...invented.keys()].map(inventedEntry));
        }
        return json(answers.containers ?? []);
      }
      const inspect = /^\/(?:v[\d.]+\/)?containers\/([0-9a-f]+)\/json/.exec(url);
      if (inspect && invented.has(inspect[1])) {
        const port = await daemonOf(inspect[1]);
        return json({
          Id: inspect[1], Name: '/level', State: { Running: true, Status: 'running' },
          Config: { Hostname: inspect[1].slice(0, 12), Env: ['PORT=2375'], Labels: {}, ExposedPorts: { '2375/tcp': {} } },
          // The lie that makes every level "routable" here, so the walk goes on by published port.
          HostConfig: {}, NetworkSettings: { Ports: { '2375/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] }, Networks: { bridge: { IPAddress: '127.0.0.1' } } },
        });
      }
      const exec = /^\/(?:v[\d.]+\/)?containers\/([0-9a-f]+)\/exec/.exec(url);
      if (exec && invented.has(exec[1])) {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        return void res.end(JSON.stringify({ Id: `exec${exec[1]}` }));
      }
      if (url.startsWith('/events')) return void res.writeHead(200, { 'Content-Type': 'application/json' });
      res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'no such thing' }));
    };
    // An exec start of a tunnel: the hijacked stream becomes a byte pipe to the invented
    // level's own fake, its output framed as Docker's multiplexed stdout.
    server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
      const start = /\/exec\/exec([0-9a-f]+)\/start/.exec(req.url ?? '');
      const inner = start ? daemonOf(start[1]) : undefined;
      if (!inner && answers.execOutput !== undefined && servers[0] === server && /\/exec\/[^/]+\/start/.test(req.url ?? '')) {
        socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
        socket.on('error', () => undefined);
        socket.end(frame(Buffer.from(answers.execOutput)));
        return;
      }
      if (!inner) return void socket.destroy();
      void inner.then((innerPort) => splice(socket, innerPort), () => socket.destroy());
    });
    const splice = (socket: net.Socket, inner: number) => {
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      const pipe = net.connect(inner, '127.0.0.1');
      pipe.on('data', (chunk: Buffer) => socket.write(frame(chunk)));
      socket.pipe(pipe);
      const close = () => { pipe.destroy(); socket.destroy(); };
      pipe.on('close', close);
      socket.on('close', close);
      pipe.on('error', close);
      socket.on('error', close);
    };
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    const listening = (server.address() as AddressInfo).port;
    // An invented level first asked for while the fake closes: it must not outlive the fake.
    if (closed) await new Promise<void>((resolve) => server.close(() => resolve()));
    return listening;
  };

  let closed = false;
  const port = await serve('fake-root', answers.port);
  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    hugeSent: () => hugeSent,
    levelsServed: () => servers.length,
    requests: () => requests,
    reidentify: () => { generation++; },
    close: async () => {
      closed = true;
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      })));
    },
  };
}

/** One chunk of Docker's multiplexed stdout. */
function frame(chunk: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = 1;
  header.writeUInt32BE(chunk.length, 4);
  return Buffer.concat([header, chunk]);
}

/** A JSON list (one line) that never ends within `total` bytes, written as fast as the client reads. */
function sendHuge(res: http.ServerResponse, total: number, counted: (n: number) => void, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  const chunk = Buffer.alloc(1024 * 1024, ' ');
  let sent = 0;
  res.write('[');
  const pump = () => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      counted(chunk.length);
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end(']');
  };
  res.on('error', () => undefined);
  pump();
}
