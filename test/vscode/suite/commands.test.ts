// The commands no other extension-host test runs, each against the real nested bed and each
// checked against what the docker CLI sees at that level (level 3 is dl-bed-l1/l2/l3).
// Containers these tests need are their own, made at level 3 and removed after.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { BED, dockerAt, EXTENSION_ID, LEAF_IMAGE, namesAt, ScriptedPrompts, until } from './bed';

interface NodeLike extends TreeNode {
  name?: string;
  levelId?: string;
  message?: string;
  container?: { Id: string; State: string };
}

describe('Docker Levels commands in the extension host, against the real bed', function () {
  this.timeout(300_000);
  let api: DockerLevelsApi;
  const leaf = `dl-vsc-cmd-${process.pid}`;

  const children = async (node?: TreeNode): Promise<NodeLike[]> => (await api.tree.getChildren(node)) as NodeLike[];
  /** A root's own name (its tree label adds the daemon's hostname once it answers). */
  const label = (n: TreeNode): string | undefined => (n as { entry?: { label: string } }).entry?.label;

  async function nodeByPath(names: string[]): Promise<NodeLike> {
    let node = (await children()).find((r) => r.id === 'root:local');
    assert.ok(node, 'the local daemon is a root');
    for (const name of names) {
      const kids: NodeLike[] = await children(node);
      const next: NodeLike | undefined = kids.find((k) => k.name === name);
      assert.ok(next, `${name} under ${node.id} (has ${kids.map((k) => k.name ?? k.message ?? k.id).join(', ')})`);
      node = next;
    }
    return node;
  }

  /** The container node once the tree shows it in `state` (the tree follows the daemon's events). */
  const leafIn = (state: string): Promise<NodeLike> => until(`${leaf} ${state} in the tree`, async () => {
    const node = (await children(await nodeByPath(BED))).find((k) => k.name === leaf);
    return node?.container?.State === state ? node : undefined;
  });

  const inspectAtL3 = (name: string): { State: { Running: boolean; StartedAt: string } } & Record<string, unknown> =>
    JSON.parse(dockerAt(BED, ['inspect', name]))[0];

  /** Everything a pseudoterminal writes, from now on. */
  function recordOutput(terminal: vscode.Terminal): { text: () => string; pty: vscode.Pseudoterminal; dispose(): void } {
    const pty = api.terminals.ptyOf(terminal);
    assert.ok(pty, 'the terminal is one of the extension\'s');
    let out = '';
    const sub = pty.onDidWrite((d) => { out += d; });
    return { text: () => out, pty, dispose: () => sub.dispose() };
  }

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    dockerAt(BED, ['run', '-d', '--name', leaf, LEAF_IMAGE]);
  });

  after(() => {
    dockerAt(BED, ['rm', '-f', leaf]);
  });

  it('Inspect at level 3 shows what `docker inspect` says there', async () => {
    await vscode.commands.executeCommand('docker-levels.inspect', await leafIn('running'));
    const doc = await until('the inspect document', () => vscode.window.activeTextEditor?.document);
    assert.equal(doc.languageId, 'json');
    const shown = JSON.parse(doc.getText());
    const cli = inspectAtL3(leaf);
    assert.equal(shown.Id, cli.Id);
    assert.equal(shown.Name, `/${leaf}`);
    for (const key of ['Created', 'Image', 'Config', 'HostConfig', 'Mounts', 'State']) assert.deepEqual(shown[key], cli[key], key);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('View Logs at level 3 follows lines written after it opened', async () => {
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('docker-levels.viewLogs', await leafIn('running'));
    assert.ok(terminal, 'a logs terminal was opened');
    const out = recordOutput(terminal);
    try {
      for (const n of [1, 2]) {
        const line = `dl-log-line-${n}-${process.pid}`;
        dockerAt(BED, ['exec', leaf, 'sh', '-c', `echo ${line} > /proc/1/fd/1`]);
        await until(`${line} in the logs terminal`, () => out.text().includes(line) || undefined, 30_000);
      }
    } finally {
      out.dispose();
      terminal.dispose();
    }
  });

  it('Open Level Shell on level 3: `docker ps` there lists level 3\'s containers', async () => {
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('docker-levels.openLevelShell', await nodeByPath(BED));
    assert.ok(terminal, 'a level shell was opened');
    const out = recordOutput(terminal);
    // "ps:" prefixes the output lines only: the echoed command line has ps:{{.Names}}.
    const listed = (): string[] => [...new Set([...out.text().matchAll(/ps:([\w.-]+)/g)].map((m) => m[1]))].sort();
    try {
      const expected = namesAt(BED);
      await until('docker ps output in the level shell', () => {
        if (expected.every((n) => listed().includes(n))) return true;
        out.pty.handleInput?.("docker ps -a --format 'ps:{{.Names}}'\r");
        return undefined;
      }, 60_000);
      assert.deepEqual(listed(), expected);
    } finally {
      out.dispose();
      terminal.dispose();
    }
  });

  it('Stop, Start and Restart a container at level 3: the daemon and the tree agree', async () => {
    api.setPrompts(new ScriptedPrompts([], []));
    await vscode.commands.executeCommand('docker-levels.stopContainer', await leafIn('running'));
    assert.equal(inspectAtL3(leaf).State.Running, false, 'stopped at level 3');
    await vscode.commands.executeCommand('docker-levels.startContainer', await leafIn('exited'));
    const started = inspectAtL3(leaf).State;
    assert.equal(started.Running, true, 'running again at level 3');
    await vscode.commands.executeCommand('docker-levels.restartContainer', await leafIn('running'));
    const restarted = inspectAtL3(leaf).State;
    assert.equal(restarted.Running, true);
    assert.notEqual(restarted.StartedAt, started.StartedAt, 'restart started it anew');
    await leafIn('running');
  });

  it('Stop on a level warns what stops with it, and Cancel stops nothing', async () => {
    const prompts = new ScriptedPrompts([], [undefined]);
    api.setPrompts(prompts);
    await vscode.commands.executeCommand('docker-levels.stopContainer', await nodeByPath(BED));
    assert.equal(prompts.asked.length, 1);
    assert.match(prompts.asked[0], /^confirm: Stop level dl-bed-l3\? \| Everything inside it stops with it: \d+ containers? in \d+ levels?/);
    assert.ok(namesAt(BED.slice(0, 2), false).includes('dl-bed-l3'), 'level 3 still runs');
  });

  it('Copy Image to Level copies an image from level 1 to level 3', async () => {
    const tag = `docker-levels-test/leaf:copy-${process.pid}`;
    dockerAt(BED.slice(0, 1), ['tag', LEAF_IMAGE, tag]);
    try {
      const l3 = api.service.registry.get((await nodeByPath(BED)).levelId!);
      assert.ok(l3, 'level 3 is open');
      api.setPrompts(new ScriptedPrompts([], [], [tag, l3.path]));
      await vscode.commands.executeCommand('docker-levels.copyImageToLevel', await nodeByPath(BED.slice(0, 1)));
      const at3 = dockerAt(BED, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']).split('\n');
      assert.ok(at3.includes(tag), `${tag} is at level 3 (${at3.join(', ')})`);
    } finally {
      dockerAt(BED.slice(0, 1), ['rmi', tag]);
      try { dockerAt(BED, ['rmi', tag]); } catch { /* not copied */ }
    }
  });

  it('Add Endpoint adds a second root that lists the daemon behind it; Remove Endpoint removes it', async () => {
    const name = `dl-vsc-second-${process.pid}`;
    api.setPrompts(new ScriptedPrompts(['unix:///var/run/docker.sock', name], []));
    await vscode.commands.executeCommand('docker-levels.addEndpoint');
    const root = await until('the second root', async () => (await children()).find((r) => label(r) === name));
    const kids = await until('its containers', async () => { const k = await children(root); return k.some((c) => c.name) ? k : undefined; });
    assert.deepEqual(kids.map((k) => k.name).filter(Boolean).sort(), namesAt([]));
    await vscode.commands.executeCommand('docker-levels.removeEndpoint', root);
    await until('the second root to go', async () => !(await children()).some((r) => label(r) === name) || undefined);
    assert.deepEqual(vscode.workspace.getConfiguration('dockerLevels').inspect('endpoints')?.globalValue ?? [], []);
  });

  it('Retry on a failure node connects once the daemon answers', async () => {
    const socket = path.join(tmpdir(), `dl-vsc-retry-${process.pid}.sock`);
    const name = `dl-vsc-retry-${process.pid}`;
    const config = vscode.workspace.getConfiguration('dockerLevels');
    // A daemon that does not answer yet: nothing listens on the socket.
    await config.update('endpoints', [{ name, url: `unix://${socket}` }], vscode.ConfigurationTarget.Global);
    const proxy = net.createServer((c) => { const d = net.connect('/var/run/docker.sock'); c.pipe(d).pipe(c); c.on('error', () => d.destroy()); d.on('error', () => c.destroy()); });
    try {
      const root = await until('the unreachable root', async () => (await children()).find((r) => label(r) === name));
      const failure = await until('a failure node with Retry', async () => (await children(root)).find((k) => k.getTreeItem().contextValue?.startsWith('dockerLevels:message+retry')));
      // Now the daemon answers, through a real proxy to the local daemon.
      await new Promise<void>((resolve) => proxy.listen(socket, resolve));
      // Fetching children again reconnects by itself; what Retry owes is telling VS Code to
      // fetch them: a refresh of the whole tree, since the failure is under a root.
      const fired: (TreeNode | undefined)[] = [];
      const sub = api.tree.onDidChangeTreeData((n) => fired.push(n as TreeNode | undefined));
      try {
        await vscode.commands.executeCommand('docker-levels.retry', failure);
      } finally {
        sub.dispose();
      }
      assert.ok(fired.includes(undefined), `Retry refreshed the tree (fired: ${fired.map((n) => n?.id).join(', ') || 'nothing'})`);
      const kids = await until('the containers after Retry', async () => {
        const again = (await children()).find((r) => label(r) === name);
        const k = again ? await children(again) : [];
        return k.some((c) => c.name) ? k : undefined;
      });
      assert.deepEqual(kids.map((k) => k.name).filter(Boolean).sort(), namesAt([]));
    } finally {
      await config.update('endpoints', undefined, vscode.ConfigurationTarget.Global);
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('Show Level Endpoints lists the running forwarder and stops the one picked', async () => {
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('docker-levels.useLevelInTerminal', await nodeByPath(BED));
    try {
      assert.equal(api.forwarders.list().length, 1);
      const what = api.forwarders.list()[0].target.what;
      const prompts = new ScriptedPrompts([], [], [what, 'Stop']);
      api.setPrompts(prompts);
      await vscode.commands.executeCommand('docker-levels.showForwarders');
      assert.equal(prompts.asked.length, 2, prompts.asked.join('\n'));
      assert.equal(api.forwarders.list().length, 0, 'the picked forwarder stopped');
    } finally {
      terminal?.dispose();
      await api.forwarders.stopAll();
    }
  });

  it('Show Log opens the Docker Levels log', async () => {
    await vscode.commands.executeCommand('docker-levels.showLog');
    await until('the log in an editor', () => vscode.window.visibleTextEditors.some((e) => e.document.uri.scheme === 'output' && /Docker Levels|docker-levels/i.test(e.document.uri.toString())) || undefined, 15_000);
  });
});
