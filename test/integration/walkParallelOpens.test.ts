// A tree walk opens sibling levels in parallel, never more at once than its bound. Five real
// sibling levels on the host daemon (named dl-walkopen-*, removed at the end); the levels
// opening at once are counted around the real Levels.openLevelWithInfo, never timed.
import * as assert from 'node:assert/strict';
import { ContainerSnapshot, DaemonSnapshot, LABELS, Levels, snapshotDaemon, startLevel, WALK_PARALLEL_OPENS } from '../../src/core';
import { recordRequests } from '../bench/requestLog';
import { bedChain, hostContainersWithLabel, newLevels } from './testBed';

const IMAGE = 'docker-levels-test/dind:latest';
const PREFIX = 'dl-walkopen-';
const SIBLINGS = 5;

/** Counts the walk's calls to open a level (`levels.openLevelWithInfo`) and the most of them running at once. */
function countOpens(levels: Levels): { calls: number; most: number } {
  const counts = { calls: 0, most: 0 };
  let running = 0;
  const open = levels.openLevelWithInfo.bind(levels);
  levels.openLevelWithInfo = async (...args) => {
    counts.calls++;
    counts.most = Math.max(counts.most, ++running);
    try {
      return await open(...args);
    } finally {
      running--;
    }
  };
  return counts;
}

function ours(tree: DaemonSnapshot): ContainerSnapshot[] {
  return tree.containers.filter((c) => c.name.startsWith(PREFIX));
}

describe('a tree walk opens sibling levels in parallel, with a bound (integration)', function () {
  this.timeout(180_000);
  let owner: Levels;
  const ids: string[] = [];

  before(async () => {
    owner = newLevels();
    const root = owner.roots()[0];
    const started = await Promise.all(Array.from({ length: SIBLINGS }, (_, i) => startLevel(owner, root, {
      image: IMAGE, name: `${PREFIX}${process.pid}-${i}`, mode: 'plain', pull: false,
    }).then((s) => { ids.push(s.containerId); return s; }, (err: unknown) => err as Error)));
    const failed = started.filter((s): s is Error => s instanceof Error);
    assert.deepEqual(failed.map((e) => e.message), [], 'every sibling level started');
    for (const s of started) if (!(s instanceof Error)) owner.close(s.level.id);
  });

  after(async () => {
    const root = owner.roots()[0];
    await Promise.all(ids.map((id) => root.docker.getContainer(id).remove({ force: true, v: true }).catch(() => undefined)));
    owner.dispose();
    assert.deepEqual(hostContainersWithLabel(LABELS.level).filter((n) => n.startsWith(PREFIX)), []);
  });

  it(`with a bound of 2, ${SIBLINGS} siblings open 2 at a time, and every one of them opens`, async () => {
    const levels = newLevels();
    try {
      const opens = countOpens(levels);
      const tree = await snapshotDaemon(levels, levels.roots()[0], { depth: 1, parallelOpens: 2 });
      const siblings = ours(tree);
      assert.equal(siblings.length, SIBLINGS);
      for (const s of siblings) {
        assert.ok(s.level, `${s.name} is a level`);
        assert.equal(s.level.error, null, `${s.name} opened`);
        assert.equal(s.level.name, s.shortId, `${s.name}'s own daemon answered`);
      }
      assert.ok(opens.calls >= SIBLINGS, `${opens.calls} opens for ${SIBLINGS} siblings`);
      assert.equal(opens.most, 2, 'levels opening at once');
    } finally {
      levels.dispose();
    }
  });

  it(`with the default bound (${WALK_PARALLEL_OPENS}), the siblings open at once up to it`, async () => {
    const levels = newLevels();
    try {
      const opens = countOpens(levels);
      const tree = await snapshotDaemon(levels, levels.roots()[0], { depth: 1 });
      assert.ok(ours(tree).every((s) => s.level?.error === null));
      // Every sibling's open starts in the same turn of the walk, so the count is exact.
      assert.equal(opens.most, Math.min(WALK_PARALLEL_OPENS, opens.calls));
      assert.ok(opens.most > 2, `${opens.most} opening at once for ${opens.calls} levels`);
    } finally {
      levels.dispose();
    }
  });

  it('a cold walk asks each level it opens for /info once: the answer that proved its identity is kept for the walk', async () => {
    const levels = newLevels();
    const rec = recordRequests();
    try {
      const tree = await snapshotDaemon(levels, levels.roots()[0], { depth: 1 });
      const requests = rec.stop();
      const siblings = ours(tree);
      assert.equal(siblings.length, SIBLINGS);
      for (const s of siblings) {
        const target = /^published tcp:\/\/(127\.0\.0\.1:\d+)$/.exec(s.level?.transport ?? '')?.[1];
        assert.ok(target, `${s.name} is reached on its published port (${s.level?.transport})`);
        const asked = requests.filter((r) => r.target === target).map((r) => r.kind);
        assert.deepEqual(asked.sort(), ['GET /containers/json', 'GET /info'], `${s.name} was asked`);
      }
    } finally {
      rec.stop();
      levels.dispose();
    }
  });

  it('with a bound of 1, the walk still reaches depth 3: a level\'s slot is not held while the walk goes below it', async () => {
    const levels = newLevels();
    try {
      const opens = countOpens(levels);
      const tree = await snapshotDaemon(levels, levels.roots()[0], { parallelOpens: 1 });
      let d: DaemonSnapshot = tree;
      for (const name of bedChain(3)) {
        const c = d.containers.find((x) => x.name === name);
        assert.ok(c?.level, `${name} opened`);
        assert.equal(c.level.error, null, `${name} has no error`);
        d = c.level;
      }
      assert.equal(opens.most, 1);
      assert.ok(opens.calls >= SIBLINGS + 3, `${opens.calls} opens`);
    } finally {
      levels.dispose();
    }
  });
});
