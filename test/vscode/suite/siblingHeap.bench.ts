// Bench item 14's extension-host figure (test/bench/siblingExtensionHost.ts builds it with
// `esbuild.mjs --suite=bench` and starts it): the heap the extension retains per open sibling
// level, each expanded in the tree and followed live. Not part of the extension-host tests: it
// needs the bench's siblings, named by DOCKER_LEVELS_BENCH_SIBLINGS_PREFIX/_COUNT, and
// DOCKER_LEVELS_BENCH_SIBLINGS_OUT names the file the figures go to.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { EXTENSION_ID, until } from './bed';

interface NodeLike extends TreeNode { name?: string; levelId?: string; message?: string; options?: { severity?: string } }

/** A full collection, so heap figures compare live objects only. */
function heapAfterGc(): number {
  v8.setFlagsFromString('--expose_gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('heap per open sibling level in the extension host (bench item 14)', function () {
  this.timeout(300_000);
  const out = process.env.DOCKER_LEVELS_BENCH_SIBLINGS_OUT;
  const prefix = process.env.DOCKER_LEVELS_BENCH_SIBLINGS_PREFIX ?? '';
  const count = Number(process.env.DOCKER_LEVELS_BENCH_SIBLINGS_COUNT);

  before(() => {
    assert.ok(out && prefix && count > 1, 'started without the bench\'s siblings (DOCKER_LEVELS_BENCH_SIBLINGS_OUT, _PREFIX, _COUNT)');
  });

  it('expands every sibling level in the tree, follows each live, and writes the heap per level', async () => {
    const api = await vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID)!.activate();
    await vscode.commands.executeCommand('dockerLevels.levels.focus');
    const root = ((await api.tree.getChildren()) as NodeLike[]).find((n) => n.id === 'root:local');
    assert.ok(root, 'the local daemon is a root');
    const siblings = ((await api.tree.getChildren(root)) as NodeLike[]).filter((n) => n.name?.startsWith(prefix) && n.levelId);
    assert.equal(siblings.length, count, 'every sibling is a level row');

    const expand = async (node: NodeLike) => {
      await api.view.reveal(node, { expand: true, select: false, focus: false }).then(undefined, () => undefined);
      const kids = (await api.tree.getChildren(node)) as NodeLike[];
      // A fresh level has no containers ('No containers', an info row); an error row is a failure.
      assert.deepEqual(kids.filter((k) => k.options?.severity === 'error').map((k) => k.message), [], `${node.name} lists its containers`);
      const level = api.service.registry.get(node.levelId!);
      assert.ok(level, `${node.name} is open`);
      return level;
    };
    // The first one warms up what every level shares (modules, TLS setup) and is left out.
    const first = await expand(siblings[0]);
    await until(`${siblings[0].name} followed live`, () => api.tree.isLive(first) || undefined, 30_000);
    const before = heapAfterGc();
    const rest: NonNullable<ReturnType<DockerLevelsApi['service']['registry']['get']>>[] = [];
    for (const node of siblings.slice(1)) rest.push(await expand(node));
    await until('every sibling followed live', () => rest.every((l) => api.tree.isLive(l)) || undefined, 60_000);
    const after = heapAfterGc();
    const measured = rest.length;
    writeFileSync(out!, JSON.stringify({
      levels: measured, warmupLevels: 1, beforeBytes: before, afterBytes: after, perLevelBytes: (after - before) / measured,
      live: rest.filter((l) => api.tree.isLive(l)).length, node: process.version,
    }));
    assert.equal(rest.filter((l) => api.tree.isLive(l)).length, measured);
  });
});
