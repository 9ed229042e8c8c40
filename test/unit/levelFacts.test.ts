import * as assert from 'node:assert/strict';
import { checkSystemDf, levelHealth, summarizeDiskUsage } from '../../src/core';
import { costText, diskMarkdown, diskText, healthMarkdown } from '../../src/extension/levelFacts';

const usage = summarizeDiskUsage(checkSystemDf({
  LayersSize: 215_000_000, Images: [{ Id: `sha256:${'a'.repeat(64)}`, RepoTags: ['i:1'], Containers: 1, Size: 215_000_000, SharedSize: 0 }], BuildCache: [], Volumes: [],
  Containers: [{ Id: 'c'.repeat(64), Names: ['/x'], State: 'exited', SizeRw: 70_000 }],
}, 'x'));

describe('level facts texts (unit)', () => {
  it('disk in a description: total, the subtree when it differs, what is reclaimable', () => {
    assert.equal(diskText(usage), 'disk 215MB · 70.0kB reclaimable');
    assert.equal(diskText(usage, 650_000_000), 'disk 215MB (subtree 650MB) · 70.0kB reclaimable');
    assert.match(diskMarkdown(usage), /\| Containers \| 1 \| 70\.0kB \| 70\.0kB \|/);
  });

  it('health in a tooltip is escaped: a lying level\'s driver name is no link', () => {
    const md = healthMarkdown(levelHealth({ Driver: '[x](http://evil)' }, 1600, 1500));
    assert.ok(!md.includes('[x](http'), md);
    assert.ok(md.includes('$(warning) Bridge MTU 1600 is larger than the level above \\(1500\\)'), md);
  });

  it('cost: memory at once, CPU from the second reading', () => {
    assert.equal(costText({ cpuPercent: null, memoryBytes: 35_200_000, memoryLimitBytes: null }), '35.2MB');
    assert.equal(costText({ cpuPercent: 1.54, memoryBytes: 35_200_000, memoryLimitBytes: null }), 'CPU 1.5% · 35.2MB');
  });
});
