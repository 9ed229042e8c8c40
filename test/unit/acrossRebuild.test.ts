// A listing that a connection rebuild overtook is listed once more through the new connections
// (src/extension/tree/nodes/acrossRebuild.ts). `connections` stands for the extension's level
// registry, which a rebuild replaces; the work stands for opening a level and listing it.
import * as assert from 'node:assert/strict';
import { acrossRebuild } from '../../src/extension/tree/nodes/acrossRebuild';

describe('acrossRebuild: an answer about closed connections is superseded', () => {
  let registry: object;
  let runs: number;
  beforeEach(() => { registry = {}; runs = 0; });
  const rebuild = (): void => { registry = {}; };

  it('without a rebuild, the work runs once and its answer stands', async () => {
    const answer = await acrossRebuild(() => registry, async () => { runs++; return 'containers'; });
    assert.equal(answer, 'containers');
    assert.equal(runs, 1);
  });

  it('a rebuild during the listing: listed once more through the new connections', async () => {
    const seen: object[] = [];
    const answer = await acrossRebuild(() => registry, async () => {
      runs++;
      seen.push(registry);
      if (runs === 1) { rebuild(); return 'The level dl-bed-l1 is closed.'; }
      return 'containers';
    });
    assert.equal(answer, 'containers');
    assert.equal(runs, 2);
    assert.notEqual(seen[0], seen[1], 'the second run saw the new registry');
  });

  it('a rebuild during a failed open: the open is tried once more, and its answer stands', async () => {
    const answer = await acrossRebuild(() => registry, async () => {
      runs++;
      if (runs === 1) { rebuild(); throw new Error('The parent level was closed while opening'); }
      return 'containers';
    });
    assert.equal(answer, 'containers');
    assert.equal(runs, 2);
  });

  it('a failure without a rebuild is the answer (not tried again)', async () => {
    await assert.rejects(acrossRebuild(() => registry, async () => { runs++; throw new Error('connect ECONNREFUSED'); }), /ECONNREFUSED/);
    assert.equal(runs, 1);
  });

  it('rebuilds during both runs: the second answer stands, nothing loops', async () => {
    const answer = await acrossRebuild(() => registry, async () => { runs++; rebuild(); return `answer ${runs}`; });
    assert.equal(answer, 'answer 2');
    assert.equal(runs, 2);
  });

  it('a second failure after a rebuild is reported as it is', async () => {
    await assert.rejects(acrossRebuild(() => registry, async () => { runs++; rebuild(); throw new Error(`failure ${runs}`); }), /failure 2/);
    assert.equal(runs, 2);
  });
});
