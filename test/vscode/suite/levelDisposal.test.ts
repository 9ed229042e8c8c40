// What belongs to a level ends with it, in the real extension host against the real bed: a
// connection rebuild (a connection setting changed) closes every open level, as a removed root
// does; the terminals, documents, panels and forwarders of a level must then end, and say so,
// instead of holding a closed client. Also: a level container removed takes what was open inside.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { LineagePanel } from '../../../src/extension/webview/LineagePanel';
import { copyImage, DaemonLevel } from '../../../src/core';
import { BED, DIND_IMAGE, dockerAt, EXTENSION_ID, LEAF_IMAGE, namesAt, ScriptedPrompts, until, treeWalker } from './bed';

/** What the extension's pseudoterminals show of their state (see ExecPseudoterminal, LogsPseudoterminal). */
interface EndingPty extends vscode.Pseudoterminal {
  levelClosed: boolean;
  exitCode?: number;
}

const tabsOf = (uri: vscode.Uri) => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
  .filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());

describe('what belongs to a level ends with it (extension host)', function () {
  this.timeout(300_000);
  let api: DockerLevelsApi;
  const { children, nodeAt } = treeWalker(() => api);

  before(async () => {
    api = await vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID)!.activate();
  });

  it('connections rebuilt: the level\'s shell and log terminals say they ended, its inspect document and lineage panel close, its forwarder stops', async () => {
    const levelNode = await nodeAt([BED[0]]);
    const web = await nodeAt([BED[0], 'dl-bed-web1']);
    const level = api.service.registry.get(levelNode.levelId!);
    assert.ok(level && !level.isDisposed, 'level 1 is open');
    const opened: vscode.Terminal[] = [];
    const config = vscode.workspace.getConfiguration('dockerLevels');
    const timeout = config.get<number>('connectTimeoutMs', 10_000);
    try {
      // A shell in the container, answering.
      const shell = await vscode.commands.executeCommand<vscode.Terminal>('docker-levels.openTerminal', web);
      opened.push(shell);
      const shellPty = api.terminals.ptyOf(shell) as EndingPty;
      let shellOut = '';
      shellPty.onDidWrite!((d) => { shellOut += d; });
      await until('the shell at level 2', () => {
        if (shellOut.includes('dl-end-2')) return true;
        shellPty.handleInput!('echo dl-end-$((1+1))\r');
        return undefined;
      }, 60_000);
      // Its followed logs, its inspect document, its ID lineage, and a forwarder for level 1.
      const logs = await vscode.commands.executeCommand<vscode.Terminal>('docker-levels.viewLogs', web);
      opened.push(logs);
      const logsPty = api.terminals.ptyOf(logs) as EndingPty;
      let logsOut = '';
      logsPty.onDidWrite!((d) => { logsOut += d; });
      const doc = await vscode.commands.executeCommand<vscode.Uri>('docker-levels.inspect', web);
      assert.equal(tabsOf(doc).length, 1, 'the inspect document is shown');
      const panel = await vscode.commands.executeCommand<LineagePanel>('docker-levels.showLineage', web);
      let panelClosed = false;
      panel.panel.onDidDispose(() => { panelClosed = true; });
      await until('the lineage proved', () => (panel.lastResult as { type?: string } | undefined)?.type === 'lineage' || undefined, 60_000);
      opened.push(await vscode.commands.executeCommand<vscode.Terminal>('docker-levels.useLevelInTerminal', levelNode));
      assert.ok(api.forwarders.list().some((f) => f.target === level), 'a forwarder serves level 1');
      assert.match(api.forwarderStatus.shown?.text ?? '', /level endpoint/);

      // A connection setting changes: every open level is closed and opened anew.
      await config.update('connectTimeoutMs', timeout + 1000, vscode.ConfigurationTarget.Global);
      await until('level 1 closed by the rebuild', () => level.isDisposed || undefined, 30_000);

      await until('the shell to say it ended', () => (shellPty.levelClosed && /was closed: this session ended/.test(shellOut)) || undefined, 30_000);
      assert.equal(shellPty.exitCode, 1, 'the shell counts as ended (a key closes the terminal)');
      await until('the log terminal to say it ended', () => (logsPty.levelClosed && /log stream ended: .* was closed/.test(logsOut)) || undefined, 30_000);
      await until('the inspect document closed', () => tabsOf(doc).length === 0 || undefined, 30_000);
      await until('the lineage panel closed', () => panelClosed || undefined, 30_000);
      await until('the forwarder of level 1 stopped', () => !api.forwarders.list().some((f) => f.target === level) || undefined, 30_000);
      const running = api.forwarders.list().length;
      if (running) assert.match(api.forwarderStatus.shown?.text ?? '', new RegExp(`^\\$\\(plug\\) ${running} level endpoint`), 'the status bar counts only running forwarders');
      else assert.equal(api.forwarderStatus.shown, undefined, 'the status bar hides with no forwarder running');

      // The tree reopens level 1 on the new connections: a new shell there works.
      const again = await nodeAt([BED[0], 'dl-bed-web1']);
      const reopened = api.service.registry.get((await nodeAt([BED[0]])).levelId!);
      assert.ok(reopened && reopened !== level && !reopened.isDisposed, 'level 1 is open again, as a new level');
      assert.equal(again.id, web.id, 'the container row keeps its id');
    } finally {
      await config.update('connectTimeoutMs', timeout === 10_000 ? undefined : timeout, vscode.ConfigurationTarget.Global);
      for (const t of opened) t?.dispose();
    }
  });

  it('connections rebuilt while level 2 lists: the row lists through the new connections, not "is closed"', async () => {
    const node = await nodeAt([BED[0], BED[1]]);
    await children(node);
    const old = api.service.registry.get(node.levelId!);
    assert.ok(old && !old.isDisposed, 'level 2 is open');
    const config = vscode.workspace.getConfiguration('dockerLevels');
    const timeout = config.get<number>('connectTimeoutMs', 10_000);
    // The real provider's listing, spied on: the first listing of level 2 is overtaken by a
    // real rebuild (a connection setting changes) before it asks the daemon.
    const listedThrough: { daemon: DaemonLevel; closedBefore: boolean }[] = [];
    const listContainers = api.tree.listContainers.bind(api.tree);
    api.tree.listContainers = async (daemon, all) => {
      if (daemon.id === old.id) {
        if (listedThrough.length === 0) {
          await config.update('connectTimeoutMs', timeout + 1000, vscode.ConfigurationTarget.Global);
          await until('level 2 closed by the rebuild', () => old.isDisposed || undefined, 30_000);
        }
        listedThrough.push({ daemon, closedBefore: daemon.isDisposed });
      }
      return listContainers(daemon, all);
    };
    try {
      node.invalidate();
      const rows = await children(node);
      const names = rows.map((r) => String(r.name ?? r.getTreeItem().label));
      assert.equal(listedThrough.length, 2, `level 2 was listed twice (${listedThrough.length})`);
      assert.equal(listedThrough[0].daemon, old, 'first through the level the rebuild closed');
      assert.ok(listedThrough[0].closedBefore, 'which was closed when its listing asked');
      assert.ok(listedThrough[1].daemon !== old && !listedThrough[1].closedBefore, 'then through the level opened anew');
      assert.ok(names.includes(BED[2]), `level 2 lists ${BED[2]} (rows: ${names.join(', ')})`);
      assert.ok(!names.some((n) => /is closed/.test(n)), `no "is closed" row (rows: ${names.join(', ')})`);
    } finally {
      api.tree.listContainers = listContainers;
      await config.update('connectTimeoutMs', timeout === 10_000 ? undefined : timeout, vscode.ConfigurationTarget.Global);
    }
  });

  it('a level container removed: what was open inside it (a shell, an inspect document, a lineage panel) ends with its level', async () => {
    const name = `dl-h2end-${process.pid}`;
    const opened: vscode.Terminal[] = [];
    try {
      api.setPrompts(new ScriptedPrompts([DIND_IMAGE, name], ['Start']));
      await vscode.commands.executeCommand('docker-levels.startDindHere', await nodeAt([BED[0]]));
      const levelNode = await nodeAt([BED[0], name]);
      await children(levelNode); // opens the new level
      const inner = api.service.registry.get(levelNode.levelId!);
      assert.ok(inner && !inner.isDisposed, 'the new level is open');
      await copyImage(api.service.registry.get((levelNode as { daemon?: { id: string } }).daemon!.id)!, inner, LEAF_IMAGE);
      dockerAt([BED[0], name], ['run', '-d', '--name', 'dl-h2end-leaf', LEAF_IMAGE, 'sleep', '3600']);
      const leaf = await until('the leaf inside the new level', async () => {
        await api.tree.refresh(levelNode);
        return (await children(levelNode)).find((k) => k.name === 'dl-h2end-leaf');
      }, 60_000);

      const shell = await vscode.commands.executeCommand<vscode.Terminal>('docker-levels.openTerminal', leaf);
      opened.push(shell);
      const shellPty = api.terminals.ptyOf(shell) as EndingPty;
      let shellOut = '';
      shellPty.onDidWrite!((d) => { shellOut += d; });
      await until('the shell inside the new level', () => {
        if (shellOut.includes('dl-end-3')) return true;
        shellPty.handleInput!('echo dl-end-$((1+2))\r');
        return undefined;
      }, 60_000);
      const doc = await vscode.commands.executeCommand<vscode.Uri>('docker-levels.inspect', leaf);
      assert.equal(tabsOf(doc).length, 1, 'the inspect document is shown');
      const panel = await vscode.commands.executeCommand<LineagePanel>('docker-levels.showLineage', leaf);
      let panelClosed = false;
      panel.panel.onDidDispose(() => { panelClosed = true; });

      api.setPrompts(new ScriptedPrompts([], ['Remove']));
      await vscode.commands.executeCommand('docker-levels.removeContainer', levelNode);
      assert.ok(!namesAt(BED.slice(0, 1)).includes(name), 'the docker CLI no longer sees the level');
      await until('the removed level closed', () => inner.isDisposed || undefined, 30_000);
      // Its exec stream may die with the container first: either way the shell has ended and says why.
      await until('the shell to have ended', () => (shellPty.exitCode !== undefined && /was closed: this session ended|process exited with code/.test(shellOut)) || undefined, 30_000);
      await until('the inspect document closed', () => tabsOf(doc).length === 0 || undefined, 30_000);
      await until('the lineage panel closed', () => panelClosed || undefined, 30_000);
      await until('the leaf\'s row disposed and gone from the id map', () => (leaf.isDisposed && !api.tree.findNode(leaf.id)) || undefined, 30_000);
    } finally {
      for (const t of opened) t.dispose();
      try { dockerAt(BED.slice(0, 1), ['rm', '-f', '-v', name]); } catch { /* removed by the test */ }
    }
  });
});
