// The idle deadline of a transfer: a silent source fails it; a reader that is behind does not.
import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { DockerLevelsError, watchReaderIdle, withIdleDeadline } from '../../src/core';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('idle deadline of a transfer (unit)', () => {
  it('a source that sends part and then nothing fails with a timeout; the source is destroyed', async () => {
    const source = new PassThrough();
    const guarded = withIdleDeadline(source, 50, 'Reading /x');
    source.write('some bytes');
    let got = '';
    await assert.rejects((async () => { for await (const c of guarded) got += String(c); })(),
      (e: DockerLevelsError) => e.kind === 'timeout' && /sent no bytes/.test(e.message));
    assert.equal(got, 'some bytes');
    assert.ok(source.destroyed);
  });

  it('bytes waiting for a reader that is behind do not count as a stall', async () => {
    const source = new PassThrough();
    const guarded = withIdleDeadline(source, 30, 'Reading /x');
    source.end('all of it');
    await tick(150);
    assert.equal(guarded.destroyed, false);
    let got = '';
    for await (const c of guarded) got += String(c);
    assert.equal(got, 'all of it');
  });

  it('an upload the level stops reading is reported once; a slow local source is not', async () => {
    const slow = new PassThrough();
    const stalls: DockerLevelsError[] = [];
    const quiet = watchReaderIdle(slow, 30, 'Writing /x', (e) => stalls.push(e));
    quiet.resume();
    await tick(150);
    assert.equal(stalls.length, 0, 'nothing to read is not a stall');
    slow.end();
    const source = new PassThrough();
    const body = watchReaderIdle(source, 30, 'Writing /x', (e) => stalls.push(e));
    source.write(Buffer.alloc(1024));
    await tick(150);
    assert.equal(stalls.length, 1);
    assert.match(stalls[0].message, /read no bytes/);
    assert.ok(body.destroyed);
  });
});
