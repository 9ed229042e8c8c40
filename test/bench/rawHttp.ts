/**
 * The limit a client can reach: a hand-written HTTP/1.1 keep-alive client over one byte
 * stream (a TCP socket, or an exec tunnel stream), with none of dockerode's or the core's
 * work. Each request writes the request line and reads the whole response body.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';

interface Pending {
  resolve: (body: Buffer) => void;
  reject: (err: Error) => void;
}

export class RawHttpConnection {
  private buf: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private closed: Error | undefined;

  constructor(private readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.parse();
    });
    const fail = (err?: Error) => {
      this.closed = err ?? new Error('raw connection closed');
      this.pending?.reject(this.closed);
      this.pending = undefined;
    };
    stream.on('error', fail);
    stream.on('close', () => fail());
    stream.on('end', () => fail());
  }

  /** A plain TCP connection to host:port. */
  static async tcp(host: string, port: number): Promise<RawHttpConnection> {
    const socket = net.connect({ host, port, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawHttpConnection(socket);
  }

  /** A unix socket connection (a local daemon's socket). */
  static async unix(socketPath: string): Promise<RawHttpConnection> {
    const socket = net.connect({ path: socketPath });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawHttpConnection(socket);
  }

  /** A TLS connection with client certificates; the chain is checked, the host name is not (certs read from a dind container). */
  static async tls(host: string, port: number, material: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<RawHttpConnection> {
    const socket = tls.connect({ host, port, ca: material.ca, cert: material.cert, key: material.key, checkServerIdentity: () => undefined });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => { socket.setNoDelay(true); resolve(); });
      socket.once('error', reject);
    });
    return new RawHttpConnection(socket);
  }

  /** GET `path`; resolves with the body. One request at a time per connection. */
  get(path: string): Promise<Buffer> {
    if (this.closed) return Promise.reject(this.closed);
    if (this.pending) return Promise.reject(new Error('one request at a time'));
    return new Promise<Buffer>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.stream.write(`GET ${path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: bench\r\n\r\n`);
    });
  }

  /** GET `path` and parse the JSON body, as any client that wants the data must. */
  async getJson(path: string): Promise<unknown> {
    return JSON.parse((await this.get(path)).toString());
  }

  close(): void {
    this.stream.destroy();
  }

  private parse(): void {
    if (!this.pending) return;
    const headerEnd = this.buf.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = this.buf.subarray(0, headerEnd).toString('latin1');
    const status = Number(head.slice(9, 12));
    const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
    const bodyStart = headerEnd + 4;
    let body: Buffer | undefined;
    let consumed = 0;
    if (lengthMatch) {
      const len = Number(lengthMatch[1]);
      if (this.buf.length < bodyStart + len) return;
      body = this.buf.subarray(bodyStart, bodyStart + len);
      consumed = bodyStart + len;
    } else if (chunked) {
      const parts: Buffer[] = [];
      let at = bodyStart;
      for (;;) {
        const lineEnd = this.buf.indexOf('\r\n', at);
        if (lineEnd < 0) return;
        const size = parseInt(this.buf.subarray(at, lineEnd).toString('latin1'), 16);
        if (size === 0) {
          if (this.buf.length < lineEnd + 4) return;
          consumed = lineEnd + 4;
          break;
        }
        if (this.buf.length < lineEnd + 2 + size + 2) return;
        parts.push(this.buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      this.pending.reject(new Error(`raw response without length: ${head.split('\r\n')[0]}`));
      this.pending = undefined;
      return;
    }
    this.buf = this.buf.subarray(consumed);
    const p = this.pending;
    this.pending = undefined;
    if (status >= 200 && status < 300) p.resolve(Buffer.from(body)); else p.reject(new Error(`HTTP ${status}: ${body.toString().slice(0, 200)}`));
  }
}
