// The Docker Levels extension in code-server's real extension host, against the real nested
// test bed (test/testbed/up.sh must have run). Dialog answers are scripted through the
// extension's Prompts interface; the browser UI test answers the real dialogs.
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { copyImage } from '../../../src/core';
import { readSettings } from '../../../src/extension/settings';
import { BED, DIND_IMAGE, dockerAt, EXTENSION_ID, LEAF_IMAGE, namesAt, ScriptedPrompts, until, within } from './bed';

/** Async on purpose: the forwarder serves from this very process, so a sync call would deadlock. */
const execFileAsync = promisify(execFile);

interface NodeLike extends TreeNode {
  name?: string;
  levelId?: string;
  container?: { Id: string; State: string };
  daemon?: { id: string };
}

describe('Docker Levels in the extension host, against the real bed', function () {
  this.timeout(300_000);
  let api: DockerLevelsApi;

  async function children(node?: TreeNode): Promise<NodeLike[]> {
    return (await api.tree.getChildren(node)) as NodeLike[];
  }
  /** The container rows among a level's children (not its Images/Volumes/Networks groups or Files row). */
  const containerRows = (kids: NodeLike[]) => kids.filter((k) => /^dockerLevels:(container|level)\+/.test(String(k.getTreeItem().contextValue)));

  async function nodeByPath(names: string[]): Promise<NodeLike> {
    const roots = await children();
    let node = roots.find((r) => r.id === 'root:local');
    assert.ok(node, `the local daemon is a root (roots: ${roots.map((r) => r.id).join(', ')})`);
    for (const name of names) {
      const kids: NodeLike[] = await children(node);
      const next: NodeLike | undefined = kids.find((k) => k.name === name);
      assert.ok(next, `${name} under ${node.id} (has ${kids.map((k) => k.name ?? (k as { message?: string }).message ?? k.id).join(', ')})`);
      node = next;
    }
    return node;
  }

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    await vscode.workspace.getConfiguration('dockerLevels').update('showStoppedContainers', true, vscode.ConfigurationTarget.Global);
  });

  it('registers every command declared in package.json', async () => {
    const declared = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(declared.filter((c) => !registered.has(c)), []);
  });

  it('shows the tree 3 levels deep: the children at depth 3 equal that daemon\'s containers', async () => {
    for (let depth = 1; depth <= 3; depth++) {
      const level = await nodeByPath(BED.slice(0, depth));
      assert.ok(level.levelId, `${BED[depth - 1]} is a level node`);
      const item = level.getTreeItem();
      assert.match(String(item.description), new RegExp(`^L${depth} · `));
      assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
      const kids = await children(level);
      assert.deepEqual(containerRows(kids).map((k) => k.name).sort(), namesAt(BED.slice(0, depth)), `containers at depth ${depth}`);
    }
    const l3 = await nodeByPath(BED);
    assert.match(String(l3.getTreeItem().description), /tunnel/);
  });

  it('a change at level 1 lists level 1 again, while the expanded levels 2 and 3 below it answer from their live lists', async () => {
    const ids = await Promise.all(BED.map(async (_, i) => {
      const node = await nodeByPath(BED.slice(0, i + 1));
      return { node: node.id, level: node.levelId! };
    }));
    // Which nodes VS Code fetches, seen on the real provider; with the listings, in order.
    const fetched: string[] = [];
    const timeline: string[] = [];
    const getChildren = api.tree.getChildren.bind(api.tree);
    api.tree.getChildren = (node) => { if (node) { fetched.push(node.id); timeline.push(`fetch ${node.id}`); } return getChildren(node); };
    const restore: (() => void)[] = [() => { api.tree.getChildren = getChildren; }];
    const name = `dl-vsc-l1change-${process.pid}`;
    try {
      // Shown, and level 3 expanded by VS Code itself (a reveal can race the view's first render).
      await vscode.commands.executeCommand('dockerLevels.levels.focus');
      await until('VS Code to expand level 3', async () => {
        await api.view.reveal(await nodeByPath(BED), { expand: true, select: true, focus: false }).then(undefined, () => undefined);
        const end = Date.now() + 3000;
        while (Date.now() < end && !fetched.includes(ids[2].node)) await new Promise((r) => setTimeout(r, 100));
        return fetched.includes(ids[2].node) || undefined;
      }, 30_000);
      // Asked is not answered yet: the ask opens level 3 (it joins the fetch in flight).
      await api.tree.getChildren(api.tree.findNode(ids[2].node));
      const [l1, l2, l3] = ids.map((i) => api.service.registry.get(i.level)!);
      assert.ok(l1 && l2 && l3, 'levels 1 to 3 are open');
      // Spies on the real level objects (no fake daemon): which daemon is asked for its list.
      const listed = new Map<string, number>();
      for (const level of [l1, l2, l3]) {
        const original = level.listContainers.bind(level);
        level.listContainers = (...args) => {
          listed.set(level.label, (listed.get(level.label) ?? 0) + 1);
          timeline.push(`list ${level.id}`);
          return original(...args);
        };
        restore.push(() => { level.listContainers = original; });
      }
      // Settled (the controller says so, no quiet window): every stream live, its refreshes done.
      await within(() => `the refresh controller to settle (${api.tree.refreshController.unsettled().join('; ')})`, api.tree.refreshController.whenSettled());
      assert.ok([l1, l2, l3].every((l) => api.tree.refreshController.isLive(l.id)), 'levels 1 to 3 are followed live');
      listed.clear();
      fetched.length = 0;
      timeline.length = 0;
      const created = await l1.docker.createContainer({ Image: LEAF_IMAGE, name });
      // The change's own cascade: level 1 listed (its event), then VS Code shown level 1 and the
      // expanded levels below it. A row redrawn for another reason (its disk use, say) makes
      // VS Code ask again from the cache before the event arrives: that is not the cascade.
      await until('level 1 listed, then VS Code fetching level 1 and level 3, after the change at level 1', () => {
        const list = timeline.indexOf(`list ${l1.id}`);
        const shown = list < 0 ? -1 : timeline.indexOf(`fetch ${ids[0].node}`, list);
        return (shown >= 0 && timeline.indexOf(`fetch ${ids[2].node}`, shown) > shown) || undefined;
      }, 30_000).catch((e: Error) => { throw new Error(`${e.message}; in order: ${timeline.join(', ') || 'nothing'}`); });
      assert.ok(fetched.includes(ids[0].node), `level 1 was fetched again (${fetched.join(', ')})`);
      assert.ok((listed.get(l1.label) ?? 0) >= 1, `level 1 was listed again (${JSON.stringify([...listed])})`);
      assert.equal(listed.get(l2.label) ?? 0, 0, 'level 2 answered from its live list');
      assert.equal(listed.get(l3.label) ?? 0, 0, 'level 3 answered from its live list');
      assert.ok(api.tree.findNode(`${l1.id}#${created.id}`), 'the new container is shown at level 1');
    } finally {
      for (const r of restore) r();
      const l1 = api.service.registry.get(ids[0].level);
      await l1?.docker.getContainer(name).remove({ force: true }).catch(() => undefined);
    }
  });

  it('runs a command on a node while its parent refreshes: the node is the one VS Code holds, before, during and after', async () => {
    const l3 = await nodeByPath(BED);
    const level = api.service.registry.get(l3.levelId!);
    assert.ok(level, 'level 3 is open');
    await vscode.commands.executeCommand('dockerLevels.levels.focus');
    await api.view.reveal(l3, { expand: true, select: false, focus: false });
    const web = (await children(l3)).find((k) => k.name === 'dl-bed-web3');
    assert.ok(web?.container, 'dl-bed-web3 is shown at level 3');
    // Level 3's next listing is held until the command has run: the refresh is in flight.
    const original = level.listContainers.bind(level);
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let asked = 0;
    level.listContainers = async (...args) => { asked++; await held; return original(...args); };
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      let refreshed = false;
      const refreshing = api.tree.refresh(l3).then(() => { refreshed = true; });
      await until('the refresh to ask level 3 for its containers', () => asked > 0 || undefined, 15_000);
      // The click: VS Code resolves the row to its element while the parent refreshes.
      await api.view.reveal(web, { select: true, focus: false, expand: false });
      assert.ok(api.view.selection.includes(web), 'the row VS Code selects is the node shown before the refresh');
      await vscode.commands.executeCommand('docker-levels.inspect', api.view.selection[0]);
      const doc = await until('the inspect document', () => vscode.window.activeTextEditor?.document);
      assert.equal(JSON.parse(doc.getText()).Id, web.container.Id, 'the command acted on that container');
      assert.equal(refreshed, false, 'the refresh was still in flight');
      release();
      await refreshing;
      assert.equal(api.tree.findNode(web.id), web, 'the same instance after the refresh');
      assert.equal((await children(l3)).find((k) => k.id === web.id), web);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      level.listContainers = original;
      release();
    }
  });

  it('respects a settings change: hiding stopped containers', async () => {
    const name = `dl-vsc-stopped-${process.pid}`;
    dockerAt(BED, ['create', '--name', name, LEAF_IMAGE]);
    try {
      const config = vscode.workspace.getConfiguration('dockerLevels');
      // Shown once its create event reaches the tree (at once when the view is not live).
      await until('the created container to show', async () => (await children(await nodeByPath(BED))).some((k) => k.name === name));
      await config.update('showStoppedContainers', false, vscode.ConfigurationTarget.Global);
      await until('the stopped container to disappear', async () => !(await children(await nodeByPath(BED))).some((k) => k.name === name));
      await config.update('showStoppedContainers', true, vscode.ConfigurationTarget.Global);
      await until('the stopped container to come back', async () => (await children(await nodeByPath(BED))).some((k) => k.name === name));
    } finally {
      dockerAt(BED, ['rm', '-f', name]);
    }
  });

  it('stops the tree at dockerLevels.maxDepth with a note, and opens deeper again once it is raised', async () => {
    const config = vscode.workspace.getConfiguration('dockerLevels');
    await config.update('maxDepth', 2, vscode.ConfigurationTarget.Global);
    try {
      const l3 = await nodeByPath(BED);
      const kids = await children(l3);
      assert.equal(kids.length, 1);
      assert.match(String(kids[0].getTreeItem().label), /^Not opened: deeper than 2 levels$/);
      const l2 = await nodeByPath(BED.slice(0, 2));
      assert.deepEqual(containerRows(await children(l2)).map((k) => k.name).sort(), namesAt(BED.slice(0, 2)), 'level 2 itself is still listed');
    } finally {
      await config.update('maxDepth', undefined, vscode.ConfigurationTarget.Global);
    }
    await until('level 3 to list its containers again', async () => {
      const names = containerRows(await children(await nodeByPath(BED))).map((k) => k.name).sort();
      return JSON.stringify(names) === JSON.stringify(namesAt(BED)) || undefined;
    });
  });

  it('does not honour endpoint and image settings from an untrusted workspace', async () => {
    assert.ok(vscode.workspace.workspaceFolders?.length, 'the launcher opens a workspace folder');
    const config = vscode.workspace.getConfiguration('dockerLevels');
    await config.update('dindImage', 'untrusted/image:1', vscode.ConfigurationTarget.Workspace);
    await config.update('endpoints', [{ name: 'planted', url: 'tcp://127.0.0.1:9' }], vscode.ConfigurationTarget.Workspace);
    try {
      const trusted = readSettings(true);
      assert.equal(trusted.dindImage, 'untrusted/image:1');
      assert.deepEqual(trusted.endpoints.map((e) => e.name), ['planted']);
      const untrusted = readSettings(false);
      assert.equal(untrusted.dindImage, 'docker:dind');
      assert.deepEqual(untrusted.endpoints, []);
    } finally {
      await config.update('dindImage', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('endpoints', undefined, vscode.ConfigurationTarget.Workspace);
      // This test workspace is trusted, so the service applied the planted endpoint, and it
      // rebuilds its levels when the setting reverts: the next test must not race that rebuild.
      await until('the service to drop the planted endpoint', () => !api.service.roots().some((r) => r.label === 'planted') || undefined, 15_000);
      await until('the local daemon to answer again', async () => (await children()).some((r) => r.id === 'root:local' && !(r as { error?: string }).error) || undefined, 30_000);
    }
  });

  it('opens a terminal at depth 3 where `hostname` prints the container\'s short ID, and shows the exit code', async () => {
    const web = await nodeByPath([...BED, 'dl-bed-web3']);
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('docker-levels.openTerminal', web);
    assert.ok(terminal, 'a terminal was opened');
    assert.match(terminal.name, /^dl-bed-web3 @ L3 ‹ dl-bed-l3 ‹ dl-bed-l2 ‹ dl-bed-l1$/);
    const pty = api.terminals.ptyOf(terminal) as vscode.Pseudoterminal & { exitCode?: number };
    let output = '';
    const sub = pty.onDidWrite((d) => { output += d; });
    const shortId = web.container!.Id.slice(0, 12);
    try {
      await until('hostname output', () => {
        if (output.includes(shortId)) return true;
        pty.handleInput?.('hostname\r');
        return undefined;
      }, 60_000);
      pty.handleInput?.('exit 3\r');
      await until('the exit code', () => pty.exitCode === 3 || undefined, 30_000);
      assert.match(output, /process exited with code 3/);
    } finally {
      sub.dispose();
      terminal.dispose();
    }
  });

  it('shows the ID lineage at depth 3, proved live', async () => {
    const web = await nodeByPath([...BED, 'dl-bed-web3']);
    const panel = await vscode.commands.executeCommand<{ lastResult: unknown; dispose(): void }>('docker-levels.showLineage', web);
    assert.ok(panel);
    try {
      const result = await until('the lineage', () => {
        const r = panel.lastResult as { type: string; levels: { depth: number; shortId: string; hostnameInside: string; matches: boolean }[] } | undefined;
        return r?.type === 'lineage' ? r : undefined;
      });
      assert.equal(result.levels.length, 4);
      assert.deepEqual(result.levels.map((l) => l.depth), [0, 1, 2, 3]);
      assert.ok(result.levels.every((l) => l.matches && l.hostnameInside === l.shortId));
      assert.equal(result.levels[3].shortId, web.container!.Id.slice(0, 12));
    } finally {
      panel.dispose();
    }
  });

  it('lends level 3 to the user\'s own docker CLI: Use Level in Terminal, a docker context, Copy Docker Host', async () => {
    const l3 = await nodeByPath(BED);
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('docker-levels.useLevelInTerminal', l3);
    assert.ok(terminal);
    try {
      assert.match(terminal.name, /^docker @ L3 ‹ dl-bed-l3 ‹ dl-bed-l2 ‹ dl-bed-l1$/);
      const host = (terminal.creationOptions as vscode.TerminalOptions).env?.DOCKER_HOST;
      assert.match(host ?? '', /^unix:\/\/\/.+\.sock$/);
      // The real docker CLI, through the forwarder, sees level 3's containers.
      const names = (await execFileAsync('docker', ['-H', host!, 'ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean).sort();
      assert.deepEqual(names, namesAt(BED));
      assert.equal(api.forwarders.list().length, 1);

      const context = await vscode.commands.executeCommand<string>('docker-levels.createDockerContext', l3);
      assert.equal(context, 'docker-levels-dl-bed-l1-dl-bed-l2-dl-bed-l3');
      const viaContext = (await execFileAsync('docker', ['--context', context, 'ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean).sort();
      assert.deepEqual(viaContext, namesAt(BED));

      api.setPrompts(new ScriptedPrompts([], []));
      const copied = await vscode.commands.executeCommand<string>('docker-levels.copyDockerHost', l3);
      assert.equal(copied, `export DOCKER_HOST=${host}`);
      assert.equal(await vscode.env.clipboard.readText(), copied);

      // The forwarder belongs to the extension: stopping it removes its context too.
      await api.forwarders.stopAll();
      await until('the context to be removed', () => {
        const ls = execFileSync('docker', ['context', 'ls', '--format', '{{.Name}}'], { encoding: 'utf8' });
        return !ls.split('\n').includes(context) || undefined;
      }, 30_000);
      assert.equal(api.forwarders.list().length, 0);
    } finally {
      terminal.dispose();
    }
  });

  it('starts DinD at depth 2, reveals the new level, and removes it only after the cascade warning', async () => {
    const name = `dl-vsc-${process.pid}`;
    try {
      await startAndRemoveLevel(name);
    } finally {
      // A failure part way must not leave a level running inside the bed.
      try { dockerAt(BED.slice(0, 1), ['rm', '-f', '-v', name]); } catch { /* removed by the test */ }
    }
  });

  async function startAndRemoveLevel(name: string): Promise<void> {
    const l1 = await nodeByPath(BED.slice(0, 1));
    const prompts = new ScriptedPrompts([DIND_IMAGE, name], ['Start']);
    api.setPrompts(prompts);
    await vscode.commands.executeCommand('docker-levels.startDindHere', l1);
    assert.ok(prompts.asked.some((q) => /^confirm: Start a privileged container on dl-bed-l1\?/.test(q)), prompts.asked.join('\n'));
    assert.ok(namesAt(BED.slice(0, 1)).includes(name), 'the docker CLI sees the new level');
    const level = await nodeByPath([BED[0], name]);
    assert.ok(level.levelId, 'the new container is a level node');
    assert.match(String(level.getTreeItem().description), /^L2 · /);
    await until('the new level to be revealed and selected', () => api.view.selection.some((n) => n.id === level.id) || undefined, 15_000);

    // Put one container inside it, so the cascade has something to count.
    const inner = api.service.registry.get(level.levelId!)!;
    const parent = api.service.registry.get((level.daemon as { id: string }).id)!;
    await copyImage(parent, inner, LEAF_IMAGE);
    await inner.docker.createContainer({ Image: LEAF_IMAGE, name: 'dl-vsc-inner' });

    const cancel = new ScriptedPrompts([], [undefined]);
    api.setPrompts(cancel);
    await vscode.commands.executeCommand('docker-levels.removeContainer', level);
    assert.match(cancel.asked[0], /^confirm: Remove level dl-vsc-\d+\? \| Everything inside it dies with it: 1 container in 1 level/);
    assert.ok(namesAt(BED.slice(0, 1)).includes(name), 'cancel removes nothing');

    const agree = new ScriptedPrompts([], ['Remove']);
    api.setPrompts(agree);
    await vscode.commands.executeCommand('docker-levels.removeContainer', level);
    assert.ok(!namesAt(BED.slice(0, 1)).includes(name), 'the docker CLI no longer sees it');
    await until('the tree to drop it', async () => !(await children(await nodeByPath(BED.slice(0, 1)))).some((k) => k.name === name));
  }
});
