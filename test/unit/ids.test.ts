import * as assert from 'node:assert/strict';
import { childLevelId, containerNodeId, isAtOrBelowLevel, isRootLevelId, levelId, rootIdOfLevel, rootNodeId } from '../../src/core';

describe('ids (unit)', () => {
  const root = 'ssh://me@host:22/x';
  const l1 = levelId(root, [{ id: 'aaa' }]);

  it('a level id encodes the root, so a root with "/" in it still splits cleanly', () => {
    assert.equal(levelId(root, []), encodeURIComponent(root));
    assert.ok(isRootLevelId(levelId(root, [])));
    assert.ok(!isRootLevelId(l1));
    assert.equal(rootIdOfLevel(l1), root);
    assert.equal(rootIdOfLevel(levelId(root, [])), root);
  });

  it('a child level id is its parent id and the container ID, as levelId builds it', () => {
    assert.equal(childLevelId(l1, 'bbb'), levelId(root, [{ id: 'aaa' }, { id: 'bbb' }]));
  });

  it('below means the level itself or a descendant, never a sibling sharing a prefix', () => {
    assert.ok(isAtOrBelowLevel(l1, l1));
    assert.ok(isAtOrBelowLevel(childLevelId(l1, 'bbb'), l1));
    assert.ok(!isAtOrBelowLevel(`${l1}a`, l1));
    assert.ok(!isAtOrBelowLevel(levelId(root, []), l1));
  });

  it('node ids for containers and roots do not collide with level ids', () => {
    assert.equal(containerNodeId(l1, 'bbb'), `${l1}#bbb`);
    assert.equal(rootNodeId(root), `root:${root}`);
    assert.notEqual(containerNodeId(l1, 'bbb'), childLevelId(l1, 'bbb'));
  });
});
