// Forward Port…, Open in Browser, Show Port Forwards, the Ports rows and Stop Port Forward in the
// real extension host, on a container at depth 3 of the real bed (an httpd the test starts
// there, named dl-vsports-*; it also exposes a UDP port, which is shown and refused).
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
    dockerAt(BED, ['run', '-d', '--name', WEB, '--expose', '80', '--expose', '5353/udp', LEAF_IMAGE, 'sh', '-c', `mkdir -p /w && echo ${PAGE} > /w/index.html && exec httpd -f -p 80 -h /w`]);
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

  it('lists the ports as rows under Ports; a port row forwards, opens and stops; a UDP row is shown and refused', async () => {
    await Promise.all(api.portForwards.list().map((f) => f.stop()));
    const node = await nodeByPath([...BED, WEB]);
    const group = ((await api.tree.getChildren(node)) as TreeNode[]).find((k) => k.getTreeItem().label === 'Ports');
    assert.ok(group, 'the container has a Ports row');
    assert.equal(group.getTreeItem().description, '80/tcp, 5353/udp');
    const rows = (await api.tree.getChildren(group)) as TreeNode[];
    const item = (r: TreeNode) => r.getTreeItem();
    assert.deepEqual(rows.map((r) => [item(r).label, item(r).contextValue]), [
      ['80/tcp', 'dockerLevels:port+tcp+running'], ['5353/udp', 'dockerLevels:port+udp+running']]);
    const [tcp, udp] = rows;
    assert.equal(api.tree.getParent(tcp), group);

    const address = await vscode.commands.executeCommand<string>('docker-levels.forwardPort', tcp);
    assert.match(address, /^127\.0\.0\.1:\d+$/);
    assert.equal((await get(`http://${address}/`)).trim(), PAGE);
    await until('the row to show the forward', () => item(tcp).contextValue === 'dockerLevels:port+tcp+running+forwarded' || undefined);
    assert.equal(item(tcp).description, `forwarded to ${address}`);
    // Open in Browser on the row takes the forward that runs.
    const uri = await vscode.commands.executeCommand<string>('docker-levels.openInBrowser', tcp);
    assert.match(uri, /^http:\/\/(127\.0\.0\.1|localhost)/);
    assert.deepEqual(api.portForwards.list().map((f) => f.address), [address]);

    assert.deepEqual(await vscode.commands.executeCommand<string[]>('docker-levels.stopPortForward', tcp), [address]);
    assert.equal(api.portForwards.list().length, 0);
    await until('the row to show no forward', () => item(tcp).contextValue === 'dockerLevels:port+tcp+running' || undefined);
    assert.equal(item(tcp).description, '');
    await assert.rejects(get(`http://${address}/`), /ECONNREFUSED/);

    assert.equal(item(udp).description, 'UDP: cannot be forwarded yet');
    // The refusal is an error notification, which the command awaits: dismiss it, then it ends.
    const refused = vscode.commands.executeCommand('docker-levels.forwardPort', udp);
    let done = false;
    void refused.then(() => { done = true; }, () => { done = true; });
    await until('the refused command to end', async () => {
      await vscode.commands.executeCommand('notifications.clearAll');
      return done || undefined;
    }, 30_000);
    assert.equal(await refused, undefined);
    assert.equal(api.portForwards.list().length, 0, 'nothing was forwarded for the UDP port');
  });

  it('a level that publishes ports lists its Ports row too, and its listing stays current (no re-fetch on every ask)', async () => {
    const level = await nodeByPath([BED[0]]) as TreeNode & { childrenCurrent: boolean };
    const published = dockerAt([], ['port', BED[0]]).split('\n').filter(Boolean);
    assert.ok(published.length > 0, `${BED[0]} publishes ports (docker port: ${published.join(', ')})`);
    const kids = await api.tree.getChildren(level) as (TreeNode & { name?: string })[];
    const ports = kids.find((k) => k.getTreeItem().contextValue === 'dockerLevels:ports');
    assert.ok(ports, `a Ports row under ${BED[0]} (rows: ${kids.map((k) => k.name ?? k.id).join(', ')})`);
    const rows = (await api.tree.getChildren(ports)).map((r) => String(r.getTreeItem().label));
    for (const line of published) {
      const port = /^(\d+\/\w+)/.exec(line)?.[1];
      assert.ok(port && rows.includes(port), `${port} is a row under Ports (rows: ${rows.join(', ')})`);
    }
    assert.equal(level.childrenCurrent, true, 'the level\'s children are current after listing');
  });
});
