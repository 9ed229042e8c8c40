import * as assert from 'node:assert/strict';
import { checkSystemDf, levelHealth, summarizeDiskUsage } from '../../src/core';
import { costText, diskMarkdown, diskText, healthBadges, healthMarkdown, LevelFacts, subtreeBytes } from '../../src/extension/levelFacts';

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

  it('health badges name vfs and an MTU above the level above, nothing for a healthy level', () => {
    assert.deepEqual(healthBadges(levelHealth({ Driver: 'vfs' }, 1600, 1500)), ['⚠ vfs', '⚠ MTU 1600 > 1500']);
    assert.deepEqual(healthBadges(levelHealth({ Driver: 'overlay2' }, 1500, 1500)), []);
    assert.deepEqual(healthBadges(levelHealth({ Driver: 'overlay2' }, 1500, null)), []);
  });

  it('subtree: a known nested level replaces its storage one level up; an unknown one stays as that storage', () => {
    const vol = 'e'.repeat(64);
    const parent = summarizeDiskUsage(checkSystemDf({
      LayersSize: 200_000_000, BuildCache: [], Images: [],
      Containers: [{ Id: 'd'.repeat(64), Names: ['/lvl'], State: 'running', SizeRw: 1_000_000,
        Mounts: [{ Type: 'volume', Name: vol, Destination: '/var/lib/docker' }] }],
      Volumes: [{ Name: vol, Driver: 'local', UsageData: { Size: 300_000_000, RefCount: 1 } }],
    }, 'p'));
    const inner = summarizeDiskUsage(checkSystemDf({ LayersSize: 250_000_000, Images: [], Containers: [], Volumes: [], BuildCache: [] }, 'i'));
    const facts = new Map<string, LevelFacts>([['p', { disk: parent, readAt: 0 }]]);
    const nested = (id: string) => (id === 'p' ? [{ levelId: 'i', containerId: 'd'.repeat(64) }] : []);
    assert.equal(subtreeBytes('p', (id) => facts.get(id), nested), 501_000_000);
    facts.set('i', { disk: inner, readAt: 0 });
    assert.equal(subtreeBytes('p', (id) => facts.get(id), nested), 200_000_000 + 250_000_000);
    assert.equal(subtreeBytes('x', (id) => facts.get(id), nested), null);
  });
});
