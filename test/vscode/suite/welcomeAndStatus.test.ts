// The welcome view and the status bar items, in the real extension host against the real
// daemon and bed. "No daemon answers" is made for real: the local daemon is looked for at a
// socket nothing listens on yet (DOCKER_HOST, as a user may have it), the one endpoint in
// settings too; then a real proxy to the local daemon starts listening there.
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { BED, EXTENSION_ID, namesAt, ScriptedPrompts, until } from './bed';

interface NodeLike extends TreeNode {
  name?: string;
  message?: string;
}

/** A unix socket that answers as the local daemon does: every connection piped to it. */
function daemonProxy(): net.Server {
  return net.createServer((c) => {
    const d = net.connect('/var/run/docker.sock');
    c.pipe(d).pipe(c);
    c.on('error', () => d.destroy());
    d.on('error', () => c.destroy());
  });
}

describe('more commands: the welcome view and the status bar', function () {
  this.timeout(300_000);
  let api: DockerLevelsApi;
  const children = async (node?: TreeNode): Promise<NodeLike[]> => (await api.tree.getChildren(node)) as NodeLike[];
  const config = () => vscode.workspace.getConfiguration('dockerLevels');

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
  });

  it('no daemon answers: the welcome view shows; its Retry lists the daemon once one answers', async () => {
    const welcome = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.viewsWelcome as { view: string; when: string; contents: string }[])
      .find((w) => w.view === 'dockerLevels.levels' && w.when === 'dockerLevels.noDaemon');
    assert.ok(welcome, 'a welcome view is declared for dockerLevels.noDaemon');
    const retry = /\[Retry\]\(command:([\w.-]+)\)/.exec(welcome.contents)?.[1];
    assert.ok(retry, 'the welcome view offers Retry');

    const socket = path.join(tmpdir(), `dl-vsc-welcome-${process.pid}.sock`);
    const endpointSocket = path.join(tmpdir(), `dl-vsc-welcome-ep-${process.pid}.sock`);
    const name = `dl-vsc-welcome-${process.pid}`;
    const savedHost = process.env.DOCKER_HOST;
    const proxy = daemonProxy();
    // Read before DOCKER_HOST changes: the docker CLI would inherit it, and the proxy it would
    // then dial runs in this very process, which execFileSync blocks.
    const expected = namesAt([]);
    try {
      // The local root is resolved when connections are rebuilt: an endpoints change does that.
      process.env.DOCKER_HOST = `unix://${socket}`;
      await config().update('endpoints', [{ name, url: `unix://${endpointSocket}` }], vscode.ConfigurationTarget.Global);
      await until('the roots rebuilt at the silent sockets', () => api.service.roots().some((r) => r.label === name)
        && api.service.roots().some((r) => r.id === 'local' && r.url === `unix://${socket}`) || undefined);
      const roots = await children();
      assert.deepEqual(roots.map((r) => r.id), [], 'with nothing answering the tree is empty and the welcome view explains');
      assert.equal(api.tree.noDaemon, true, 'dockerLevels.noDaemon is set');

      await new Promise<void>((resolve) => proxy.listen(socket, resolve));
      const fired: (TreeNode | undefined)[] = [];
      const sub = api.tree.onDidChangeTreeData((n) => fired.push(n as TreeNode | undefined));
      try {
        await vscode.commands.executeCommand(retry);
      } finally {
        sub.dispose();
      }
      assert.ok(fired.includes(undefined), 'Retry asked VS Code to fetch the whole tree again');
      const local = (await children()).find((r) => r.id === 'root:local');
      assert.ok(local, 'the local daemon is a root again');
      assert.equal(api.tree.noDaemon, false, 'dockerLevels.noDaemon is cleared: the welcome view goes');
      const kids = await until('the local daemon\'s containers', async () => { const k = await children(local); return k.some((c) => c.name) ? k : undefined; });
      assert.deepEqual(kids.map((k) => k.name).filter(Boolean).sort(), expected);
    } finally {
      if (savedHost === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = savedHost;
      await config().update('endpoints', undefined, vscode.ConfigurationTarget.Global);
      await until('the roots back at the real local daemon', () => !api.service.roots().some((r) => r.label === name) || undefined);
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      rmSync(socket, { force: true });
    }
    assert.ok((await children()).some((r) => r.id === 'root:local'));
    assert.equal(api.tree.noDaemon, false);
  });

  it('the status bar counts running level endpoints; clicking it is Show Forwarders, and stopping the last one hides it', async () => {
    assert.equal(api.forwarderStatus.shown, undefined, 'hidden while no forwarder runs');
    const level3 = await nodeAt(BED);
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('docker-levels.useLevelInTerminal', level3);
    assert.ok(terminal);
    try {
      const shown = await until('the forwarder status', () => api.forwarderStatus.shown);
      assert.match(shown.text, /^\$\(plug\) 1 level endpoint$/);
      const [forwarder] = api.forwarders.list();
      assert.ok(shown.tooltip.includes(forwarder.dockerHost), shown.tooltip);
      assert.equal(shown.command, 'docker-levels.showForwarders', 'a click runs Show Forwarders');

      const prompts = new ScriptedPrompts([], [], [forwarder.target.what, 'Stop']);
      api.setPrompts(prompts);
      await vscode.commands.executeCommand(shown.command);
      assert.equal(prompts.asked.length, 2, prompts.asked.join('\n'));
      assert.match(prompts.asked[0], new RegExp(`^pick: ${escapeRe(forwarder.target.what)}$`));
      assert.equal(api.forwarders.list().length, 0);
      assert.equal(api.forwarderStatus.shown, undefined, 'hidden once the last forwarder stopped');
    } finally {
      terminal.dispose();
      await api.forwarders.stopAll();
    }
  });

  async function nodeAt(names: string[]): Promise<NodeLike> {
    let node = (await children()).find((r) => r.id === 'root:local');
    assert.ok(node, 'the local daemon is a root');
    for (const n of names) {
      const kids: NodeLike[] = await children(node);
      const next: NodeLike | undefined = kids.find((k) => k.name === n);
      assert.ok(next, `${n} under ${node.id}`);
      node = next;
    }
    return node;
  }
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
