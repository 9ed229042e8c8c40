import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { BED, EXTENSION_ID, namesAt, until } from './bed';

interface NodeLike extends TreeNode {
  name?: string;
}

describe('a command root from settings in the extension host, against the real bed', function () {
  this.timeout(180_000);
  let api: DockerLevelsApi;
  const name = `dl-vsc-cmdroot-${process.pid}`;
  const children = async (node?: TreeNode): Promise<NodeLike[]> => (await api.tree.getChildren(node)) as NodeLike[];
  const label = (n: TreeNode): string | undefined => (n as { entry?: { label: string } }).entry?.label;

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
  });

  it('{"command": ["docker", "exec", "-i", "dl-bed-l1", "docker", "system", "dial-stdio"]} is a root showing level 1, and its levels open below it', async () => {
    const config = vscode.workspace.getConfiguration('dockerLevels');
    await config.update('endpoints', [{ name, command: ['docker', 'exec', '-i', BED[0], 'docker', 'system', 'dial-stdio'] }], vscode.ConfigurationTarget.Global);
    try {
      const root = await until('the command root', async () => (await children()).find((r) => label(r) === name));
      const kids = await until('its containers', async () => { const k = await children(root); return k.some((c) => c.name) ? k : undefined; });
      assert.deepEqual(kids.map((k) => k.name).filter(Boolean).sort(), namesAt(BED.slice(0, 1)));
      // Level 2 below it, through a tunnel hop over the command's streams.
      const l2 = kids.find((k) => k.name === BED[1]);
      assert.ok(l2, `${BED[1]} under the command root`);
      const below = await until('level 2 below the command root', async () => { const k = await children(l2); return k.some((c) => c.name) ? k : undefined; });
      assert.deepEqual(below.map((k) => k.name).filter(Boolean).sort(), namesAt(BED.slice(0, 2)));
    } finally {
      await config.update('endpoints', undefined, vscode.ConfigurationTarget.Global);
    }
    await until('the command root to go', async () => !(await children()).some((r) => label(r) === name) || undefined);
  });
});
