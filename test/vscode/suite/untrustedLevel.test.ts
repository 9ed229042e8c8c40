// A lying level in the real extension host's tree. The level is a FAKE daemon that lies
// (test/support/fakeLyingDaemon.ts, on 127.0.0.1 only, served from this very process): a
// real dockerd cannot be made to lie. Its hostile names render escaped, its wrong types hide
// none of the harmless siblings, an oversize answer is a failure node, expansion pops no
// toast, an invented tree stops at the tree's level budget, and a forwarder stopped by an
// impostor says so in a notification.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { WALK_LEVEL_BUDGET } from '../../../src/core';
import { startFakeLyingDaemon, type FakeLevel, type LyingAnswers } from '../../support/fakeLyingDaemon';
import { honestInspect } from '../../support/lyingChecks';
import { EXTENSION_ID, until } from './bed';

// Every control a terminal acts on: C0 but \n, DEL, C1, and the bidi overrides.
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = 'evil\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202egnp\nwarn [levels] forged [click](command:docker-levels.refresh) <img src=x>';

interface NodeLike extends TreeNode {
  name?: string;
  message?: string;
  levelId?: string;
  entry?: { label: string };
}

describe('A lying level in the extension host\'s tree (fake daemon)', function () {
  this.timeout(300_000);
  let api: DockerLevelsApi;
  let fake: FakeLevel | undefined;
  const shown: string[] = [];
  let showWatch: vscode.Disposable | undefined;

  const children = async (node?: TreeNode) => (await api.tree.getChildren(node)) as NodeLike[];
  const rowKind = (n: TreeNode) => String(n.getTreeItem().contextValue);

  /** Puts a fake daemon in the tree as a root of its own; resolves with its root node. */
  async function lyingRoot(name: string, answers: LyingAnswers): Promise<NodeLike> {
    fake = await startFakeLyingDaemon(answers);
    await vscode.workspace.getConfiguration('dockerLevels').update('endpoints', [{ name, url: fake.url }], vscode.ConfigurationTarget.Global);
    return until(`the root ${name}`, async () => (await children()).find((r) => r.entry?.label === name));
  }

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    showWatch = api.errors.onDidShow((text) => shown.push(text));
  });

  beforeEach(() => { shown.length = 0; });

  afterEach(async () => {
    await vscode.workspace.getConfiguration('dockerLevels').update('endpoints', undefined, vscode.ConfigurationTarget.Global);
    await until('the fake root to go', async () => !(await children()).some((r) => r.entry?.label?.startsWith('dl-vsc-lying')) || undefined);
    await fake?.close();
    fake = undefined;
  });

  after(() => showWatch?.dispose());

  it('hostile names render escaped, wrong types hide no harmless sibling, an oversize answer is a failure node, and expanding pops no toast', async () => {
    const dind = 'd'.repeat(64);
    const root = await lyingRoot('dl-vsc-lying', {
      info: { ID: 'FAKE:lying', Name: HOSTILE, ServerVersion: `20.10${HOSTILE}`, OperatingSystem: HOSTILE, OSType: 'linux', Architecture: 'x86_64', Driver: HOSTILE, Containers: 5, ContainersRunning: 5 },
      containers: [
        { Id: 12345, Names: ['/number-id'], Image: 'x', State: 'running' },
        { Id: 'c'.repeat(64), Names: '/names-is-a-string', Image: 'x', State: 'running' },
        { Id: 'a'.repeat(64), Names: [`/${HOSTILE}`], Image: HOSTILE, State: 'running', Status: HOSTILE, Labels: { x: HOSTILE } },
        { Id: 'b'.repeat(64), Names: ['/harmless'], Image: 'busybox', State: 'running', Status: 'Up', Labels: {} },
        { Id: dind, Names: ['/oversize-dind'], Image: 'docker:dind', State: 'running', Status: 'Up', Labels: {} },
      ],
      routes: [
        { match: /^GET \/containers\/d+\/json/, body: 'huge' },
        { match: /^GET \/(v[\d.]+\/)?containers\/a{64}\/json/, body: honestInspect('a'.repeat(64), { Name: `/${HOSTILE}`, Config: { Hostname: 'aaaaaaaaaaaa', Image: HOSTILE, Env: [HOSTILE], Labels: { x: HOSTILE }, ExposedPorts: {} } }) },
      ],
      hugeBytes: 256 * 1024 ** 2,
    });
    const kids = await until('the fake root\'s rows', async () => { const k = await children(root); return k.some((c) => c.name) ? k : undefined; });
    const rows = kids.filter((k) => /^dockerLevels:(container|level)\+/.test(rowKind(k)));
    assert.deepEqual(rows.map((r) => r.name).sort(), [HOSTILE, 'harmless', 'oversize-dind'].sort(), 'the harmless siblings stay listed');
    const note = kids.find((k) => rowKind(k).startsWith('dockerLevels:message'));
    assert.match(String(note?.message), /^Left out 2 listed container\(s\)/, 'the level says what it left out');

    for (const node of [root, ...kids]) {
      const item = node.getTreeItem();
      const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
      assert.doesNotMatch(label, RAW_CONTROL, `label of ${node.id}`);
      assert.doesNotMatch(label, /\n/, `one line: ${node.id}`);
      assert.doesNotMatch(String(item.description ?? ''), RAW_CONTROL, `description of ${node.id}`);
      const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? '');
      assert.doesNotMatch(tooltip, RAW_CONTROL, `tooltip of ${node.id}`);
      if (item.tooltip instanceof vscode.MarkdownString) {
        assert.ok(!item.tooltip.isTrusted && !item.tooltip.supportHtml, `tooltip of ${node.id} runs no command and no HTML`);
        assert.ok(!tooltip.includes('[click](command:'), `no live link in the tooltip of ${node.id}`);
        assert.doesNotMatch(tooltip, /(?<!\\)<img/, `no HTML in the tooltip of ${node.id}`);
      }
    }
    const hostile = rows.find((r) => r.name === HOSTILE)!.getTreeItem();
    assert.match(String(hostile.label), /^evil\\x1b\]0;pwned\\x07\\x1b\[2J\\x9b31m\\u202egnp⏎warn \[levels\] forged/);
    assert.match((hostile.tooltip as vscode.MarkdownString).value, /evil\\\\x1b\\\]0;pwned/, 'the tooltip shows the name as escaped text');
    const rootLabel = await until('the root row with its /info Name', async () => {
      const row = (await children()).find((r) => r.entry?.label === 'dl-vsc-lying');
      const text = String(row?.getTreeItem().label ?? '');
      return text.includes('(') ? text : undefined;
    });
    assert.match(rootLabel, /^dl-vsc-lying \(evil\\x1b\]0;pwned\\x07/);
    assert.doesNotMatch(rootLabel, RAW_CONTROL);

    const oversize = rows.find((r) => r.name === 'oversize-dind')!;
    assert.ok(oversize.levelId, 'the dind row is a level');
    const failure = await until('the oversize failure node', async () => (await children(oversize)).find((k) => rowKind(k).startsWith('dockerLevels:message')));
    assert.match(String(failure.message), /larger than 64 MiB, which no Docker daemon sends/);
    assert.ok(fake!.hugeSent() < 200 * 1024 ** 2, `the fake sent ${fake!.hugeSent()} bytes before the extension hung up`);

    // Inspect: the level's text is data in the document, every control a visible \u escape.
    await vscode.commands.executeCommand('docker-levels.inspect', rows.find((r) => r.name === HOSTILE));
    const doc = await until('the inspect document', () => vscode.window.activeTextEditor?.document);
    assert.doesNotMatch(doc.getText(), RAW_CONTROL);
    assert.ok(doc.getText().includes('evil\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202egnp\\nwarn'), 'the name as JSON escapes');
    assert.equal((JSON.parse(doc.getText()) as { Name: string }).Name, `/${HOSTILE}`, 'the same value');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    // The host survives: the real local root still lists.
    const local = (await children()).find((r) => r.id === 'root:local');
    assert.ok(local, 'the local root is still there');
    assert.ok((await children(local)).length > 0);
    assert.deepEqual(shown, [], 'expanding the tree popped no notification');
  });

  it(`a daemon that invents levels forever opens at most ${WALK_LEVEL_BUDGET} levels under its root, with a note where it stops`, async () => {
    const root = await lyingRoot('dl-vsc-lying-invent', { inventLevels: 8 });
    const rootLevel = api.service.registry.roots().find((r) => r.root.url === fake!.url);
    assert.ok(rootLevel);
    const openUnderRoot = () => api.service.registry.openLevels().filter((l) => l.root.id === rootLevel.root.id).length;
    let frontier: NodeLike[] = [root];
    const notes: string[] = [];
    // Expands the tree breadth first, as a user clicking every level would: 8, 64, then 512 rows.
    for (let depth = 1; depth <= 3; depth++) {
      const next: NodeLike[] = [];
      for (let i = 0; i < frontier.length; i += 8) {
        const batch = await Promise.all(frontier.slice(i, i + 8).map((n) => children(n)));
        for (const kids of batch) {
          next.push(...kids.filter((k) => k.levelId));
          notes.push(...kids.filter((k) => rowKind(k).startsWith('dockerLevels:message')).map((k) => String(k.message)));
        }
      }
      frontier = next;
    }
    // The 8 + 64 levels of depths 1–2 are open; at depth 3 the rows expand until the budget.
    for (let i = 0; i < frontier.length; i += 8) {
      const batch = await Promise.all(frontier.slice(i, i + 8).map((n) => children(n)));
      notes.push(...batch.flat().filter((k) => rowKind(k).startsWith('dockerLevels:message')).map((k) => String(k.message)));
    }
    assert.equal(openUnderRoot(), WALK_LEVEL_BUDGET, 'exactly the budget of levels is open');
    const stopped = notes.filter((n) => n === `Not opened: ${WALK_LEVEL_BUDGET} levels are open under this root`);
    assert.equal(stopped.length, 8 + 64 + 512 - WALK_LEVEL_BUDGET, 'every level past the budget says why it is not opened');
    assert.ok(fake!.levelsServed() <= WALK_LEVEL_BUDGET + 1, `${fake!.levelsServed()} fake daemons were asked for`);
    assert.deepEqual(shown, [], 'no notification from expanding');
  });

  it('a forwarder whose daemon is replaced by an impostor stops and says so in a notification (with Show Log)', async () => {
    await lyingRoot('dl-vsc-lying-forward', {});
    const rootLevel = api.service.registry.roots().find((r) => r.root.url === fake!.url);
    assert.ok(rootLevel);
    const forwarder = await api.forwarders.forward(rootLevel);
    try {
      assert.equal((await requestVia(forwarder.socketPath, '/_ping')).status, 200, 'the forwarder serves its own daemon');
      assert.deepEqual(shown, []);
      fake!.reidentify();
      const refused = await requestVia(forwarder.socketPath, '/_ping');
      assert.equal(refused.status, 502);
      const told = await until<string>('the notification', () => shown.find((s) => /now answers as another daemon/.test(s)));
      assert.match(told, /Nothing was sent to it, and the forwarder stopped/);
      assert.equal(forwarder.state, 'stopped');
      assert.ok(!api.forwarders.list().includes(forwarder), 'it left the forwarders\' list');
      assert.equal(shown.length, 1, `one notification: ${shown.join(' | ')}`);
    } finally {
      await forwarder.stop();
    }
    // Stopping one on purpose is silent.
    const again = await api.forwarders.forward(rootLevel);
    await again.stop();
    assert.equal(shown.length, 1, 'a forwarder stopped on purpose pops nothing');
  });
});

/** One request over a forwarder's unix socket, on a fresh connection as a new docker CLI makes. */
function requestVia(socketPath: string, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, agent: false, method: 'GET', path: urlPath }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end();
  });
}
