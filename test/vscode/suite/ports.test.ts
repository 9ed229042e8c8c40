// Forward Port…, Open in Browser and Show Port Forwards in the real extension host, on a
// container at depth 3 of the real bed (an httpd the test starts there, named dl-vsports-*).
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { BED, dockerAt, EXTENSION_ID, LEAF_IMAGE, ScriptedPrompts, until } from './bed';

const WEB = 'dl-vsports-web';
const PAGE = 'vsports-page-at-depth-3';

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('Port forwards in the extension host, depth 3', function () {
  this.timeout(300_000);
  let api: DockerLevelsApi;

  async function nodeByPath(names: string[]): Promise<TreeNode & { name?: string }> {
    let node = ((await api.tree.getChildren(undefined)) as (TreeNode & { name?: string })[]).find((r) => r.id === 'root:local');
    for (const name of names) {
      const kids = (await api.tree.getChildren(node)) as (TreeNode & { name?: string })[];
      node = kids.find((k) => k.name === name);
      assert.ok(node, `${name} is shown`);
    }
    return node!;
  }

  before(async () => {
    api = await vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID)!.activate();
    try { dockerAt(BED, ['rm', '-f', WEB]); } catch { /* not there */ }
    dockerAt(BED, ['run', '-d', '--name', WEB, '--expose', '80', LEAF_IMAGE, 'sh', '-c', `mkdir -p /w && echo ${PAGE} > /w/index.html && exec httpd -f -p 80 -h /w`]);
    api.tree.refresh();
  });

  after(async () => {
    await Promise.all(api.portForwards.list().map((f) => f.stop()));
    try { dockerAt(BED, ['rm', '-f', WEB]); } catch { /* gone */ }
  });

  it('Open in Browser forwards the common web port of a depth-3 container and its page loads', async () => {
    const node = await until('the web container at depth 3', async () => {
      api.tree.refresh();
      return nodeByPath([...BED, WEB]).catch(() => undefined);
    });
    const uri = await vscode.commands.executeCommand<string>('docker-levels.openInBrowser', node);
    assert.match(uri, /^http:\/\/(127\.0\.0\.1|localhost)/);
    const forward = api.portForwards.list().find((f) => f.port === 80 && f.containerName === WEB);
    assert.ok(forward, 'the forward is listed');
    assert.equal((await get(forward.url)).trim(), PAGE);
  });

  it('Forward Port… on a chosen local port, listed by Show Port Forwards and stopped there', async () => {
    const node = await nodeByPath([...BED, WEB]);
    api.setPrompts(new ScriptedPrompts([], []));
    const address = await vscode.commands.executeCommand<string>('docker-levels.forwardPort', node, '0:80');
    assert.match(address, /^127\.0\.0\.1:\d+$/);
    assert.equal((await get(`http://${address}/`)).trim(), PAGE);
    const before = api.portForwards.list().length;
    assert.ok(before >= 1);
    // First pick: the first forward (no scripted label); then "Stop".
    const prompts = new ScriptedPrompts([], []);
    let step = 0;
    prompts.pick = ((items: vscode.QuickPickItem[]) => Promise.resolve(step++ === 0 ? items[0] : items.find((i) => i.label === 'Stop'))) as never;
    api.setPrompts(prompts);
    await vscode.commands.executeCommand('docker-levels.showPortForwards');
    await until('one forward fewer', () => api.portForwards.list().length === before - 1 || undefined);
  });
});
