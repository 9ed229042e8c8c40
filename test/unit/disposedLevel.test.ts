import * as assert from 'node:assert/strict';
import { DockerLevelsError, Levels, resolveLocalEndpoint } from '../../src/core';

// No daemon is needed: a closed level refuses before it would connect.
describe('a closed DaemonLevel (unit)', () => {
  it('fails every call with a clear error and never runs the work (no socket is opened)', async () => {
    const levels = new Levels([resolveLocalEndpoint()]);
    const level = levels.roots()[0];
    levels.dispose();
    assert.ok(level.isDisposed);
    let ran = 0;
    const closed = (e: unknown) => e instanceof DockerLevelsError && e.kind === 'unreachable' && /is closed/.test(e.message) && /Refresh the tree/.test(e.hint ?? '');
    await assert.rejects(level.call('Inspecting', async () => { ran++; }), closed);
    await assert.rejects(level.info(), closed);
    await assert.rejects(level.listContainers(true), closed);
    await assert.rejects(level.openRawStream(), closed);
    assert.equal(ran, 0);
  });
});
