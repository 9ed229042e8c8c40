import { strict as assert } from 'node:assert';
import { PassThrough, Writable } from 'node:stream';
import { demuxFrames } from '../../src/core/transport/frameDemux';

function frame(type: number, payload: string | Buffer): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const head = Buffer.alloc(8);
  head[0] = type;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

function collector(): { sink: Writable; text: () => string; bytes: () => number } {
  const parts: Buffer[] = [];
  let bytes = 0;
  const sink = new Writable({ write(c: Buffer, _e, cb) { parts.push(c); bytes += c.length; cb(); } });
  return { sink, text: () => Buffer.concat(parts).toString(), bytes: () => bytes };
}

describe('frame demultiplexer for exec, attach and logs streams (unit)', () => {
  it('splits stdout and stderr frames, cut at every byte boundary', () => {
    const stream = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err\n'), frame(1, ''), frame(0, 'in'), frame(1, 'out two')]);
    for (let size = 1; size <= stream.length; size++) {
      const source = new PassThrough();
      const out = collector();
      const err = collector();
      demuxFrames(source, out.sink, err.sink);
      for (let i = 0; i < stream.length; i += size) source.write(stream.subarray(i, i + size));
      assert.equal(out.text(), 'out one\nout two', `chunks of ${size}`);
      assert.equal(err.text(), 'err\nin', `chunks of ${size}`);
    }
  });

  it('passes a frame that announces 4 GB on as it arrives, holding none of it', () => {
    const source = new PassThrough();
    const out = collector();
    demuxFrames(source, out.sink, collector().sink);
    const head = Buffer.alloc(8);
    head[0] = 1;
    head.writeUInt32BE(0xffffffff, 4);
    source.write(head);
    const mib = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 8; i++) {
      source.write(mib);
      // Every chunk is written on before the frame ends: nothing waits for its 4 GB.
      assert.equal(out.bytes(), (i + 1) * mib.length);
    }
  });

  it('a stream that is not multiplexed (a header of another type) passes to stdout unchanged', () => {
    const source = new PassThrough();
    const out = collector();
    const err = collector();
    demuxFrames(source, out.sink, err.sink);
    source.write(frame(1, 'framed '));
    source.write(Buffer.from('$ raw tty text, no headers'));
    source.write(Buffer.from(' and more'));
    assert.equal(out.text(), 'framed $ raw tty text, no headers and more');
    assert.equal(err.text(), '');
  });
});
