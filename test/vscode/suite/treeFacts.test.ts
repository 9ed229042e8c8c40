// Disk use, health, cost, orphaned level data and a failed level's daemon log on the rows of
// the Levels view, in the real extension host against the real bed, each checked with the
// docker CLI at that level. Levels of the test's own (dl-c2-facts-…) live in dl-bed-l1 and are
// removed after, also on failure.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import { diskOfSubtree, formatBytes } from '../../../src/core';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { LevelNode } from '../../../src/extension/tree/nodes/LevelNode';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { BED, DIND_IMAGE, dockerAt, EXTENSION_ID, ScriptedPrompts, until } from './bed';

type Row = TreeNode & { name?: string; levelId?: string; openLevel?: LevelNode['openLevel'] };
const L1 = [BED[0]];
const L2 = BED.slice(0, 2);
const P = 'dl-c2-facts';
const DIND_FLAGS = ['--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE', '--security-opt', 'seccomp=unconfined',
  '--security-opt', 'apparmor=unconfined', '--security-opt', 'systempaths=unconfined', '--device-cgroup-rule', 'a *:* rwm'];
const UNITS: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** "215.3MB" (the CLI) or "215MB" (the tree) in bytes. */
function bytesOf(text: string): number {
  const m = /^([\d.]+)\s*([kMGT]?B)$/.exec(text.trim());
  assert.ok(m, `a size: "${text}"`);
  return Number(m[1]) * UNITS[m[2]];
}
/** Equal but for rounding to 3–4 digits (and what a running level writes meanwhile). */
function assertAbout(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 0.01 * Math.max(actual, expected) + 2000, `${what}: ${actual} shown, ${expected} expected`);
}
const answers = (chain: string[]) => { try { dockerAt(chain, ['version']); return true; } catch { return false; } };
const tooltipOf = (item: vscode.TreeItem) => (item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? ''));

describe('Rows: disk use, health, cost, orphaned level data and daemon logs, in the extension host', function () {
  this.timeout(300_000);
  let api: DockerLevelsApi;
  const volumes: string[] = [];

  const children = async (node?: TreeNode): Promise<Row[]> => (await api.tree.getChildren(node)) as Row[];
  const nodeByPath = (names: string[]): Promise<Row> => until(`${names.join('/')} in the tree`, async () => {
    let node: Row | undefined = (await children()).find((r) => r.id === 'root:local');
    for (const name of names) {
      if (!node) return undefined;
      node = (await children(node)).find((k) => k.name === name);
    }
    return node;
  });
  /** A level row, opened (its children fetched) and its facts read afresh. */
  async function readRow(names: string[]): Promise<{ node: Row; item: vscode.TreeItem }> {
    const node = await nodeByPath(names);
    await children(node);
    const level = node.openLevel;
    assert.ok(level, `${names.join('/')} is open`);
    const facts = await api.tree.facts.cache.read(level);
    assert.equal(facts.error, undefined, facts.error);
    return { node, item: await api.tree.getTreeItem(node) };
  }

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    const run = (name: string, args: string[]) => dockerAt(L1, ['run', '-d', '--name', name, '--label', `${P}=1`, ...DIND_FLAGS, ...args]);
    run(`${P}-vfs`, [DIND_IMAGE, '--storage-driver', 'vfs']);
    run(`${P}-mtu`, [DIND_IMAGE, '--mtu', '1600']);
    run(`${P}-broken`, ['--entrypoint', 'sh', DIND_IMAGE, '-c', `dockerd --storage-driver ${P}-bogus; exec sleep 3600`]);
    for (const name of [`${P}-vfs`, `${P}-mtu`]) await until(`${name} to answer`, () => answers([...L1, name]) || undefined, 90_000);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('dockerLevels').update('showContainerCost', undefined, vscode.ConfigurationTarget.Global);
    const ids = dockerAt(L1, ['ps', '-aq', '--filter', `label=${P}=1`]).split('\n').filter(Boolean);
    if (ids.length) dockerAt(L1, ['rm', '-fv', ...ids]);
    for (const v of volumes) { try { dockerAt(L1, ['volume', 'rm', v]); } catch { /* removed by the test */ } }
  });

  it('the row of dl-bed-l2 shows the disk use `docker system df` counts there, and the subtree the core walk finds', async () => {
    // Level 3 read too, so the subtree figure of level 2 holds it.
    await readRow(BED);
    const { node, item } = await readRow(L2);
    const cli = dockerAt(L2, ['system', 'df', '--format', '{{.Type}}|{{.TotalCount}}|{{.Size}}']).trim().split('\n').map((l) => l.split('|'));
    const md = tooltipOf(item);
    const names: Record<string, string> = { Images: 'Images', Containers: 'Containers', 'Local Volumes': 'Volumes', 'Build Cache': 'Build cache' };
    let total = 0;
    for (const [type, count, size] of cli) {
      const row = new RegExp(`^\\| ${names[type]} \\| (\\d+) \\| ([^|]+) \\|`, 'm').exec(md);
      assert.ok(row, `a ${names[type]} row in the tooltip:\n${md}`);
      if (type !== 'Build Cache') assert.equal(Number(row[1]), Number(count), `${type} count`);
      assertAbout(bytesOf(row[2]), bytesOf(size), `${type} size`);
      total += bytesOf(size);
    }
    const shown = /disk ([\d.]+[kMGT]?B)/.exec(String(item.description));
    assert.ok(shown, String(item.description));
    assertAbout(bytesOf(shown[1]), total, 'the total in the description');

    const walk = await diskOfSubtree(api.service.registry, node.openLevel!);
    const subtree = walk[0].subtreeBytes!;
    const inRow = /\(subtree ([\d.]+[kMGT]?B)\)/.exec(String(item.description));
    const withBelow = /With the levels below it: ([\d.]+[kMGT]?B)/.exec(md);
    // Shown only where it differs from the level's own figure, as the walk's does.
    if (formatBytes(subtree) === formatBytes(bytesOf(shown[1]))) assert.equal(inRow, null);
    else {
      assert.ok(inRow && withBelow, `${String(item.description)}\n${md}`);
      assertAbout(bytesOf(inRow[1]), subtree, 'the subtree');
    }
  });

  it('health: dl-bed-l2 shows its driver, bridge MTU and cgroup version; a vfs level and one with MTU 1600 are flagged', async () => {
    const { item } = await readRow(L2);
    const md = tooltipOf(item);
    const driver = dockerAt(L2, ['info', '--format', '{{.Driver}}']).trim();
    const cgroup = dockerAt(L2, ['info', '--format', '{{.CgroupVersion}}']).trim();
    const mtu = dockerAt(L2, ['network', 'inspect', '--format', '{{index .Options "com.docker.network.driver.mtu"}}', 'bridge']).trim() || '1500';
    assert.ok(md.includes(`Storage driver: ${driver} · bridge MTU ${mtu}`), md);
    assert.ok(md.includes(`cgroup v${cgroup}`), md);
    assert.doesNotMatch(String(item.description), /⚠/);

    const parentMtu = dockerAt(L1, ['network', 'inspect', '--format', '{{index .Options "com.docker.network.driver.mtu"}}', 'bridge']).trim() || '1500';
    const vfs = await readRow([...L1, `${P}-vfs`]);
    assert.match(String(vfs.item.description), / · ⚠ vfs( · |$)/);
    assert.ok(tooltipOf(vfs.item).includes('$(warning) Storage driver vfs: every image layer is copied'), tooltipOf(vfs.item));
    assert.equal((vfs.item.tooltip as vscode.MarkdownString).supportThemeIcons, true);
    const big = await readRow([...L1, `${P}-mtu`]);
    assert.match(String(big.item.description), new RegExp(` · ⚠ MTU 1600 > ${parentMtu}( · |$)`));
    assert.ok(tooltipOf(big.item).includes(`Bridge MTU 1600 is larger than the level above \\(${parentMtu}\\)`), tooltipOf(big.item));
  });

  it('a dind whose daemon does not answer: its failure row shows the last lines of the daemon log, and Show Daemon Log opens it from there', async () => {
    const node = await nodeByPath([...L1, `${P}-broken`]);
    const failure = await until('the failure row', async () => (await children(node)).find((k) => k.id.endsWith('#message')), 120_000);
    const item = await api.tree.getTreeItem(failure);
    const r = spawnSync('docker', ['exec', L1[0], 'docker', 'logs', `${P}-broken`], { encoding: 'utf8' });
    const cliLines = `${r.stdout}${r.stderr}`.split('\n').filter(Boolean);
    const last = cliLines[cliLines.length - 1];
    assert.match(last, /bogus|graphdriver|driver/i);
    assert.equal(item.description, last.slice(0, 160));
    assert.ok(String(item.tooltip).includes(`Last lines of its daemon log:\n`), String(item.tooltip));
    assert.ok(String(item.tooltip).endsWith(last), String(item.tooltip));
    assert.match(String(item.contextValue), /^dockerLevels:message\+retry\+daemonLog$/);
    const uri = await vscode.commands.executeCommand<vscode.Uri>('docker-levels.showDaemonLog', failure);
    assert.ok(uri, 'a document opened');
    assert.ok((await vscode.workspace.openTextDocument(uri)).getText().includes(last));
  });

  it('an orphaned /var/lib/docker volume shows under "Orphaned Level Data" of dl-bed-l1, with its size; Remove from its row removes it', async () => {
    const name = `${P}-orphan`;
    dockerAt(L1, ['run', '-d', '--name', name, '--label', `${P}=1`, ...DIND_FLAGS, DIND_IMAGE]);
    await until(`${name} to answer`, () => answers([...L1, name]) || undefined, 90_000);
    const mounts = JSON.parse(dockerAt(L1, ['inspect', '--format', '{{json .Mounts}}', name])) as { Name: string; Destination: string }[];
    const orphan = mounts.find((m) => m.Destination === '/var/lib/docker')!.Name;
    volumes.push(orphan);
    dockerAt(L1, ['rm', '-f', name]);

    const l1 = await nodeByPath(L1);
    await children(l1);
    const group = await until('the Orphaned Level Data group', async () => {
      await api.tree.facts.cache.read(l1.openLevel!);
      return (await children(l1)).find((k) => k.id.endsWith('#orphaned'));
    }, 60_000);
    assert.equal((await api.tree.getTreeItem(group)).label, 'Orphaned Level Data');
    const row = (await children(group)).find((k) => (k as unknown as { volume?: { name: string } }).volume?.name === orphan);
    assert.ok(row, `${orphan} listed`);
    const rowItem = await api.tree.getTreeItem(row);
    assert.equal(rowItem.label, orphan.slice(0, 12));
    assert.match(String(rowItem.description), /^[\d.]+[kMGT]?B · holds image, containers/);

    const prompts = new ScriptedPrompts([], ['Remove']);
    api.setPrompts(prompts);
    const result = await vscode.commands.executeCommand<{ removed: string[] }>('docker-levels.removeOrphanedLevelData', row);
    assert.equal(prompts.asked.length, 1, prompts.asked.join('\n'));
    assert.match(prompts.asked[0], new RegExp(`^confirm: Remove 1 orphaned level volume on ${L1[0]} \\(${rowItem.description!.toString().split(' ')[0].replace('.', '\\.')}\\)\\?`));
    assert.deepEqual(result.removed, [orphan]);
    assert.ok(!dockerAt(L1, ['volume', 'ls', '-q']).split('\n').includes(orphan));
    await until('the group to list it no more', async () => {
      const again = (await children(l1)).find((k) => k.id.endsWith('#orphaned'));
      return !again || !(await children(again)).some((k) => (k as unknown as { volume?: { name: string } }).volume?.name === orphan) || undefined;
    });
  });

  it('cost: with dockerLevels.showContainerCost a shown running level row gets CPU and memory; hidden or collapsed, nothing is read', async () => {
    await vscode.workspace.getConfiguration('dockerLevels').update('showContainerCost', true, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('dockerLevels.levels.focus');
    const sampler = api.tree.facts.sampler;
    let seen = '';
    // On a timeout the message says what was seen: the row's text and what the sampler watched.
    const state = () => `dl-bed-l3 shown with its CPU and memory (last description ${JSON.stringify(seen)}; watched `
      + `${api.tree.facts.watchedContainers().map((n) => n.container.Names[0]).join(', ') || 'nothing'}; ${sampler.requests} stats reads)`;
    const l3 = await until(state, async () => {
      const node = await nodeByPath(BED);
      await api.view.reveal(node, { expand: false, select: false, focus: false }).then(undefined, () => undefined);
      const item = await api.tree.getTreeItem(node);
      seen = String(item.description);
      return /CPU [\d.]+% · [\d.]+[kMGT]?B$/.test(seen) ? node : undefined;
    }, 60_000);
    assert.ok(tooltipOf(await api.tree.getTreeItem(l3)).includes('everything nested in it included'));
    assert.ok(sampler.watchedCount > 0);

    await vscode.commands.executeCommand('workbench.view.explorer');
    await until('no container watched while the view is hidden', () => sampler.watchedCount === 0 || undefined, 15_000);
    const requests = sampler.requests;
    await new Promise((r) => setTimeout(r, 11_000));
    assert.equal(sampler.requests, requests, 'no stats read while hidden');

    await vscode.commands.executeCommand('dockerLevels.levels.focus');
    await until('containers watched again once shown', () => sampler.watchedCount > 0 || undefined, 15_000);
    await vscode.commands.executeCommand('workbench.actions.treeView.dockerLevels.levels.collapseAll');
    await until('no container watched once everything is collapsed', () => sampler.watchedCount === 0 || undefined, 15_000);

    await vscode.workspace.getConfiguration('dockerLevels').update('showContainerCost', false, vscode.ConfigurationTarget.Global);
    assert.doesNotMatch(String((await api.tree.getTreeItem(l3)).description), /CPU/);
  });
});
