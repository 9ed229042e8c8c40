import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { DockerLevelsError } from '../../src/core';
import { MAX_PROGRESS_LINE_BYTES, MAX_PROGRESS_STREAM_BYTES } from '../../src/core/untrusted/limits';
import { readProgress } from '../../src/core/untrusted/progressLines';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

describe('pull and load progress streams are bounded (unit)', () => {
  it('reads every line of an honest stream, split anywhere across chunks', async () => {
    const text = '{"status":"Pulling fs layer","id":"a"}\n{"status":"Download complete"}\r\n{"stream":"Loaded image: x"}';
    const chunks = [...text].map((c) => Buffer.from(c));
    const seen: unknown[] = [];
    await readProgress(Readable.from(chunks), 'Pulling x', { onLine: (l) => seen.push(l) });
    assert.deepEqual(seen, [{ status: 'Pulling fs layer', id: 'a' }, { status: 'Download complete' }, { stream: 'Loaded image: x' }]);
  });

  it('an error line fails with its message, escaped and on one line', async () => {
    const line = JSON.stringify({ errorDetail: { message: 'denied\u001b]0;x\u0007\nforged' }, error: 'denied\u001b]0;x\u0007\nforged' });
    await assert.rejects(readProgress(Readable.from([`{"status":"a"}\n${line}\n`]), 'Pulling x'), (e: unknown) => {
      assert.ok(e instanceof DockerLevelsError);
      assert.match(e.message, /^Pulling x failed: denied\\x1b\]0;x\\x07⏎forged$/);
      assert.doesNotMatch(e.message, RAW_CONTROL);
      return true;
    });
    await assert.rejects(readProgress(Readable.from(['{"errorDetail":{"message":"only detail"}}']), 'Loading x'), /Loading x failed: only detail/);
  });

  it('a line that is not a JSON object is an error that says so', async () => {
    await assert.rejects(readProgress(Readable.from(['[1,2]\n']), 'Pulling x'), /a progress line is not a JSON object/);
  });

  /** A source that makes `chunk` again each time it is read, counting what it made. */
  function endless(chunk: Buffer): { source: Readable; made: () => number } {
    let made = 0;
    const source = Readable.from((function* () { for (;;) { made += chunk.length; yield chunk; } })(), { objectMode: false });
    return { source, made: () => made };
  }

  it('a line with no end is cut at the line cap, and the source is destroyed', async () => {
    const { source, made } = endless(Buffer.alloc(64 * 1024, 'x'));
    await assert.rejects(readProgress(source, 'Pulling x'), /a progress line is longer than 1 MiB/);
    assert.ok(source.destroyed);
    assert.ok(made() <= MAX_PROGRESS_LINE_BYTES + 4 * 64 * 1024, `${made()} bytes made before the read stopped`);
  });

  it('a stream of honest lines is cut at the stream cap (caps lowered: 256 MiB of JSON takes 10 s to parse here)', async () => {
    const line = Buffer.from('{"status":"Downloading","progressDetail":{"current":1,"total":2}}\n');
    const { source, made } = endless(line);
    await assert.rejects(readProgress(source, 'Loading x', { maxStreamBytes: 1024 * 1024 }), /the progress stream passed 1 MiB, which no Docker daemon sends/);
    assert.ok(source.destroyed);
    assert.ok(made() <= 1024 * 1024 + 4 * line.length, `${made()} bytes made before the read stopped`);
    assert.ok(MAX_PROGRESS_STREAM_BYTES === 256 * 1024 * 1024 && MAX_PROGRESS_LINE_BYTES === 1024 * 1024);
  });
});
