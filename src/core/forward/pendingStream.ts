import { Duplex } from 'node:stream';

/**
 * A stream handed to Node's http.Agent at once, joined to the real upstream stream once that
 * has opened. The Agent counts a connection toward maxSockets only from the moment it has it:
 * given the real stream later (an exec tunnel takes hundreds of milliseconds to open), every
 * request arriving meanwhile started one more, and 50 parallel clients opened 26 streams.
 * Writes wait here (one at a time, as Writable calls them) until the join.
 */
export class PendingStream extends Duplex {
  private inner: Duplex | undefined;
  private waitingWrite: { chunk: Buffer; cb: (err?: Error | null) => void } | undefined;
  private waitingFinal: ((err?: Error | null) => void) | undefined;

  constructor() {
    super({ allowHalfOpen: false });
  }

  get joined(): boolean {
    return !!this.inner;
  }

  join(inner: Duplex): void {
    if (this.destroyed) {
      inner.destroy();
      return;
    }
    this.inner = inner;
    inner.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) inner.pause();
    });
    inner.once('end', () => this.push(null));
    inner.once('error', (err) => this.destroy(err));
    // Closed without an end (killed): the reader still gets its end, then the stream goes.
    inner.once('close', () => {
      if (!this.readableEnded) this.push(null);
      if (!this.writableFinished) this.destroy();
    });
    const pending = this.waitingWrite;
    this.waitingWrite = undefined;
    if (pending) inner.write(pending.chunk, pending.cb);
    if (this.waitingFinal) {
      inner.end();
      this.waitingFinal();
      this.waitingFinal = undefined;
    }
    // A checked or spare stream was left paused for its reader: this is it.
    inner.resume();
  }

  override _read(): void {
    this.inner?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.inner) this.inner.write(chunk, cb);
    else this.waitingWrite = { chunk, cb };
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.inner) {
      this.waitingFinal = cb;
      return;
    }
    this.inner.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.inner?.destroy();
    cb(err);
  }

  // What node's http client and Agent call on a net.Socket.
  setTimeout(_ms: number, cb?: () => void): this { if (cb) this.once('timeout', cb); return this; }
  setNoDelay(): this { return this; }
  setKeepAlive(): this { return this; }
  ref(): this { return this; }
  unref(): this { return this; }
}
