// RefreshController's settled state (src/extension/tree/refreshController.ts): what tests await
// instead of a quiet window. A fake daemon, because the unit suite has none: its event stream
// is a PassThrough the test opens and writes to, and each refresh ends when the test says so.
import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { RefreshController } from '../../src/extension/tree/refreshController';
import type { TreeNode } from '../../src/extension/tree/nodes/TreeNode';
import type { DaemonLevel } from '../../src/core';

const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A fake daemon whose events request answers once open() is called, with a stream the test writes to. */
function fakeDaemon(id: string) {
  const stream = new PassThrough();
  let open: () => void = () => undefined;
  const answered = new Promise<PassThrough>((resolve) => { open = () => resolve(stream); });
  const daemon = {
    id, label: id, what: id, isDisposed: false, keepStreamReady: () => ({ dispose: () => undefined }),
    call: (_what: string, fn: () => Promise<unknown>) => fn(),
    docker: { getEvents: () => answered },
  } as unknown as DaemonLevel;
  return { daemon, stream, open };
}

const node = (id: string) => ({ id, parent: undefined }) as unknown as TreeNode;

describe('the refresh controller says when it is settled (unit, fake daemon)', () => {
  it('is unsettled while a stream connects, a refresh waits or runs; it fires once settled, and again after an event', async () => {
    const refreshes: Array<{ id: string; end: () => void }> = [];
    const controller = new RefreshController((n) => new Promise<void>((resolve) => { refreshes.push({ id: n.id, end: resolve }); }), () => undefined, log as never);
    let fired = 0;
    controller.onDidSettle(() => { fired++; });
    const l1 = fakeDaemon('l1');
    try {
      controller.watch(l1.daemon, node('root:l1'));
      assert.equal(controller.isSettled, true, 'hidden: nothing is followed, nothing to wait for');
      controller.setVisible(true);
      assert.equal(controller.isSettled, false, 'visible: its stream is connecting, and the refresh for what was missed runs');
      assert.deepEqual(refreshes.map((r) => r.id), ['root:l1']);
      refreshes.shift()!.end();
      await new Promise((r) => setImmediate(r));
      assert.equal(controller.isSettled, false, 'the stream is still connecting');
      let settled = false;
      const waiting = controller.whenSettled().then(() => { settled = true; });
      l1.open();
      // Live: a refresh is scheduled for what a reconnect may have missed; it then runs until ended.
      while (refreshes.length === 0) await new Promise((r) => setTimeout(r, 20));
      assert.equal(settled, false, 'a refresh in flight');
      assert.equal(controller.isSettled, false);
      refreshes.shift()!.end();
      await waiting;
      assert.equal(controller.isSettled, true);
      assert.equal(fired, 1, 'settled once');

      l1.stream.write(`${JSON.stringify({ Type: 'container', Action: 'create', Actor: { ID: 'c1' }, time: 1 })}\n`);
      await new Promise((r) => setImmediate(r));
      assert.equal(controller.isSettled, false, 'an event that changes the list: a refresh is waiting for its debounce');
      const again = controller.whenSettled();
      while (refreshes.length === 0) await new Promise((r) => setTimeout(r, 20));
      refreshes.shift()!.end();
      await again;
      assert.equal(fired, 2, 'settled again');
      assert.equal(refreshes.length, 0, 'no refresh beyond the event\'s one');

      l1.stream.write(`${JSON.stringify({ Type: 'container', Action: 'exec_start: sh', Actor: { ID: 'c1' }, time: 2 })}\n`);
      await new Promise((r) => setImmediate(r));
      assert.equal(controller.isSettled, true, 'an event that does not change the list schedules nothing');
    } finally {
      controller.dispose();
      l1.stream.destroy();
    }
  });
});
