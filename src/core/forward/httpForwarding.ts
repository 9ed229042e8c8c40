import * as http from 'node:http';
import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { classifyError, DockerLevelsError } from '../errors';
import type { Logger } from '../log';
import { ForwardedConnection } from './forwardedConnection';
import { endToEndHeaders, isLongLivedRequest, requestHead } from './requestKinds';
import { resumeForClient, UpstreamPool, UpstreamPoolOptions } from './upstreamPool';

export interface HttpForwardingHooks {
  /** What the forwarder serves, for messages. */
  readonly what: string;
  /** A fresh upstream stream whose daemon was checked as the forwarder requires. */
  open(signal: AbortSignal): Promise<Duplex>;
  /** A request could not reach the daemon and was answered with the reason. */
  failed(error: DockerLevelsError): void;
  /** A client connection opened or closed. */
  changed(): void;
}

/**
 * The forwarder's HTTP-aware mode, for routes where every new stream starts a process at
 * each hop: Node's own HTTP server reads the clients' requests (bounded headers, bodies framed
 * by Content-Length or chunked), and Node's client sends the plain ones over a few kept streams
 * (UpstreamPool). An upgraded request (attach, exec start) and a long-lived one (events,
 * logs -f, wait, transfers) gets a stream of its own, so none can starve the kept ones.
 */
export class HttpForwarding {
  readonly pool: UpstreamPool;
  private readonly server: http.Server;
  private readonly clients = new Set<net.Socket>();
  private readonly upgraded = new Set<ForwardedConnection>();
  private nextUpgrade = 1;

  constructor(private readonly hooks: HttpForwardingHooks, private readonly lingerMs: number, private readonly log: Logger, options: UpstreamPoolOptions = {}) {
    this.pool = new UpstreamPool((signal) => hooks.open(signal), log, options);
    // No request timeout: a build context or an image load may take long to upload. The socket
    // is private to the user, and nothing here is buffered past Node's own header limit.
    this.server = http.createServer({ requestTimeout: 0 }, (req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  /** Client connections open now, upgraded ones included. */
  get openConnections(): number {
    return this.clients.size;
  }

  /** Takes an accepted client connection; its requests are read by the HTTP server. */
  accept(client: net.Socket): void {
    this.clients.add(client);
    client.once('close', () => {
      this.clients.delete(client);
      this.hooks.changed();
    });
    this.server.emit('connection', client);
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const own = isLongLivedRequest(req.url);
    const release = own ? () => undefined : this.pool.admit();
    if (!release) {
      req.resume();
      this.answer(res, 503, `${this.pool.requestsInFlight} requests are already waiting for ${this.hooks.what}.`
        + ' Try again once some have finished.');
      return;
    }
    const upstream = http.request({
      method: req.method,
      path: req.url,
      headers: endToEndHeaders(req.rawHeaders),
      setHost: false,
      // A request with a stream of its own closes it after the answer: nothing else would use it.
      ...(own ? { createConnection: (_o: unknown, cb: (err: Error | null, s: Duplex) => void) => this.openOwn(cb) } : { agent: this.pool }),
    } as http.RequestOptions);
    let answer: http.IncomingMessage | undefined;
    upstream.on('response', (incoming) => {
      answer = incoming;
      incoming.once('end', release);
      if (res.destroyed) return;
      res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, endToEndHeaders(incoming.rawHeaders));
      // Event and log streams send nothing until something happens: the client needs the head now.
      res.flushHeaders();
      incoming.pipe(res);
      incoming.once('error', (err) => res.destroy(err));
    });
    upstream.on('error', (err) => {
      release();
      if (res.destroyed) return;
      if (res.headersSent) {
        res.destroy(err);
        return;
      }
      const error = err instanceof DockerLevelsError ? err : classifyError(err, this.hooks.what);
      this.log.warn(`${this.hooks.what}: ${req.method} ${displayPath(req.url)}: ${error.message}`);
      this.answer(res, 502, error.userMessage, () => this.hooks.failed(error));
    });
    res.once('close', () => {
      if (answer?.complete) return release();
      // The client went first (the docker CLI gives up on a slow ping). A short request handed
      // whole to a kept stream (open or opening) is answered there and drained, so it stays kept:
      // destroying it cost a new one, and a burst of such pings made every request wait for one.
      if (!own && upstream.socket && upstream.writableEnded) {
        if (answer) answer.resume();
        else upstream.once('response', (late) => late.resume());
        return;
      }
      release();
      upstream.destroy();
    });
    req.pipe(upstream);
  }

  private openOwn(cb: (err: Error | null, stream: Duplex) => void): undefined {
    this.pool.stream().then((s) => {
      cb(null, s);
      resumeForClient(s);
    }, (err: unknown) => cb(err as Error, undefined as unknown as Duplex));
    return undefined;
  }

  /**
   * An upgraded request (attach, exec start, BuildKit's session): a stream of its own, its
   * head written as the client sent it, then both sides spliced byte for byte.
   */
  private onUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const conn = new ForwardedConnection(this.nextUpgrade++, socket, this.lingerMs, (c) => this.upgraded.delete(c));
    this.upgraded.add(conn);
    this.pool.stream(conn.signal).then((upstream) => {
      if (conn.isClosed) {
        upstream.destroy();
        return;
      }
      upstream.write(requestHead(req.method ?? 'GET', req.url ?? '/', req.httpVersion, req.rawHeaders));
      if (head.length) upstream.write(head);
      conn.attach(upstream);
    }, (err: unknown) => {
      if (conn.isClosed) return;
      const error = err instanceof DockerLevelsError ? err : classifyError(err, this.hooks.what);
      this.log.warn(`${this.hooks.what}: ${req.method} ${displayPath(req.url)}: ${error.message}`);
      conn.fail(error);
      this.hooks.failed(error);
    });
  }

  /** Answers with a JSON message the docker CLI prints ("Error response from daemon: …"), then closes. */
  private answer(res: http.ServerResponse, status: number, message: string, then?: () => void): void {
    const body = JSON.stringify({ message: `docker-levels: ${message}` });
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    res.end(body, then);
  }

  /** Closes every client connection and kept stream. */
  destroy(): void {
    for (const conn of [...this.upgraded]) conn.destroy();
    for (const client of [...this.clients]) client.destroy();
    this.pool.destroy();
    this.server.close();
  }
}

/** A request path for a log line: the client's own, but bounded. */
function displayPath(url: string | undefined): string {
  return (url ?? '').replace(/[^\x20-\x7e]/g, '?').slice(0, 120);
}
