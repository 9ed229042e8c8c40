// Churn soak in the real extension host: containers are created, started, stopped and removed
// at level 2 of the real bed while the Levels view is visible and live (event streams open).
// Heap and active handles stay flat, and at the end the tree equals what the docker CLI lists.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { until, within } from './bed';

const L2 = ['dl-bed-l1', 'dl-bed-l2'];
const LEAF_IMAGE = 'docker-levels-test/leaf:latest';
/** A count, not a time budget: how many cycles fit in a minute depends on the machine's load. */
const CYCLES_PER_WORKER = 30;
const WORKERS = 2;

interface NodeLike extends TreeNode { name?: string; levelId?: string }

function namesAtL2(): string[] {
  return execFileSync('docker', [...L2.flatMap((c) => ['exec', '-i', c, 'docker']), 'ps', '-a', '--format', '{{.Names}}'], { encoding: 'utf8' })
    .split('\n').filter(Boolean).sort();
}

/** A full collection, so heap figures compare live objects only. */
function collect(): void {
  v8.setFlagsFromString('--expose_gc');
  (vm.runInNewContext('gc') as () => void)();
}

describe('churn soak at level 2 while the tree is live (extension host)', function () {
  this.timeout(240_000);

  it(`creates, starts, stops and removes ${CYCLES_PER_WORKER * WORKERS} containers with heap and handles flat`, async () => {
    const api = await vscode.extensions.getExtension<DockerLevelsApi>('docker-levels.docker-levels')!.activate();
    const root = (await api.tree.getChildren()).find((n) => n.id === 'root:local')!;
    let node: NodeLike = root;
    for (const name of L2) node = ((await api.tree.getChildren(node)) as NodeLike[]).find((c) => c.name === name)!;
    const l2Node = node;
    // Visible and expanded: the refresh controller follows level 2's events. Run alone, nothing
    // before this test has shown the view or opened level 2: its children are asked here.
    await vscode.commands.executeCommand('dockerLevels.levels.focus');
    await api.view.reveal(l2Node, { expand: true, select: false, focus: false });
    await api.tree.getChildren(l2Node);
    const l2 = api.service.registry.get(l2Node.levelId!)!;
    assert.ok(l2, 'level 2 is open');
    await until('level 2 followed live', () => api.tree.isLive(l2) || undefined, 30_000);

    const tag = `dl-soak-${process.pid}`;
    let cycles = 0;
    const worker = async (w: number, count: number) => {
      for (let i = 0; i < count; i++) {
        cycles++;
        const c = await l2.docker.createContainer({ Image: LEAF_IMAGE, name: `${tag}-${w}-${i}` });
        await c.start();
        await c.stop({ t: 1 });
        await c.remove({ v: true });
      }
    };
    try {
      // A short warm-up, then the baseline.
      await worker(9, 10);
      collect();
      const heapBefore = process.memoryUsage().heapUsed;
      const handlesBefore = process.getActiveResourcesInfo().length;
      cycles = 0;
      await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w, CYCLES_PER_WORKER)));
      assert.equal(cycles, CYCLES_PER_WORKER * WORKERS, 'every cycle ran');

      // The tree settles on what the docker CLI lists at level 2.
      const deadline = Date.now() + 30_000;
      let shown: string[] = [];
      for (;;) {
        const l2Again = (await api.tree.getChildren(l2Node.parent)).find((n) => n.id === l2Node.id)!;
        shown = ((await api.tree.getChildren(l2Again)) as NodeLike[]).map((c) => c.name ?? '').filter(Boolean).sort();
        if (JSON.stringify(shown) === JSON.stringify(namesAtL2()) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.deepEqual(shown, namesAtL2());
      assert.ok(!shown.some((n) => n.startsWith(tag)), 'every soak container is gone from the tree');

      // The last events' refreshes end before the heap is read: what they hold is not a leak.
      await within(() => `the refresh controller to settle (${api.tree.refreshController.unsettled().join('; ')})`, api.tree.refreshController.whenSettled(), 30_000);
      collect();
      const heapGrowth = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
      const handlesAfter = process.getActiveResourcesInfo().length;
      assert.ok(heapGrowth < 25, `heap grew ${heapGrowth.toFixed(1)} MB over ${cycles} cycles`);
      assert.ok(handlesAfter <= handlesBefore + 8, `active handles ${handlesBefore} → ${handlesAfter}`);
    } finally {
      // A failed cycle leaves its container: removed here, so nothing stays behind at level 2.
      const left = await l2.docker.listContainers({ all: true, filters: { name: [tag] } });
      await Promise.all(left.map((c) => l2.docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
    }
  });
});
