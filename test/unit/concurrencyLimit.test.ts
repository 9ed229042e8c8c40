// The limit a tree walk puts on levels opening at once: counts of running tasks, never timings.
import * as assert from 'node:assert/strict';
import { ConcurrencyLimit } from '../../src/core';

/** A task that runs until its `finish` is called, counting how many run at once. */
function gatedTasks(count: number) {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const finish: (() => void)[] = [];
  const tasks = Array.from({ length: count }, (_, i) => () => new Promise<number>((resolve) => {
    running++;
    most = Math.max(most, running);
    started.push(i);
    finish[i] = () => { running--; resolve(i); };
  }));
  return { tasks, finish, started, get running() { return running; }, get most() { return most; } };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('ConcurrencyLimit (unit)', () => {
  it('runs at most `limit` tasks at once and starts the others in order as slots free', async () => {
    const limit = new ConcurrencyLimit(3);
    const g = gatedTasks(10);
    const results = g.tasks.map((t) => limit.run(t));
    await settle();
    assert.deepEqual(g.started, [0, 1, 2]);
    assert.equal(limit.active, 3);
    assert.equal(limit.queued, 7);
    for (let i = 0; i < 10; i++) {
      g.finish[i]();
      await settle();
      assert.ok(g.running <= 3, `${g.running} running after task ${i} finished`);
    }
    assert.deepEqual(await Promise.all(results), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(g.started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(g.most, 3);
    assert.equal(limit.active, 0);
    assert.equal(limit.queued, 0);
  });

  it('a failing task frees its slot for the next one', async () => {
    const limit = new ConcurrencyLimit(1);
    const failed = limit.run(() => Promise.reject(new Error('boom')));
    const next = limit.run(async () => 'ran');
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'ran');
    assert.equal(limit.active, 0);
  });

  it('a waiting task whose signal aborts is never started and leaves the queue', async () => {
    const limit = new ConcurrencyLimit(1);
    const g = gatedTasks(3);
    const controller = new AbortController();
    const first = limit.run(g.tasks[0]);
    const cancelled = limit.run(g.tasks[1], controller.signal);
    const third = limit.run(g.tasks[2]);
    await settle();
    assert.equal(limit.queued, 2);
    controller.abort(new Error('walk cancelled'));
    await assert.rejects(cancelled, /walk cancelled/);
    assert.equal(limit.queued, 1);
    g.finish[0]();
    await settle();
    g.finish[2]();
    assert.deepEqual(await Promise.all([first, third]), [0, 2]);
    assert.deepEqual(g.started, [0, 2]);
    assert.equal(limit.active, 0);
  });

  it('refuses a limit below 1 or not a whole number', () => {
    assert.throws(() => new ConcurrencyLimit(0), RangeError);
    assert.throws(() => new ConcurrencyLimit(2.5), RangeError);
    assert.throws(() => new ConcurrencyLimit(Number.NaN), RangeError);
  });
});
