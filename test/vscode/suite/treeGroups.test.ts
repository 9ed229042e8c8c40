// The tree's group nodes in the real extension host against the real bed, at level 2
// (dl-bed-l1/dl-bed-l2): Images, Volumes and Networks list what the docker CLI says there (and
// an expanded group follows the level's events), a compose project's containers show under its
// group and are removed through it, and a container's Files row opens a file of it. Everything
// made here is named dl-nodes-… and removed after, also on failure.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { BED, dockerAt, EXTENSION_ID, LEAF_IMAGE, ScriptedPrompts, until } from './bed';

const P = 'dl-nodes';
const PROJECT = `${P}-proj`;
const L2 = BED.slice(0, 2);
const lines = (t: string) => t.split('\n').map((l) => l.trim()).filter(Boolean);

interface NodeLike extends TreeNode {
  name?: string;
  contentTarget?: { kind: string; id: string; name: string };
  composeTarget?: { project: string };
}

function cleanUp(): void {
  const run = (args: string[]) => { try { dockerAt(L2, args); } catch { /* already gone */ } };
  const ids = lines(dockerAt(L2, ['ps', '-aq', '--filter', `name=^/?${P}-`]));
  if (ids.length) run(['rm', '-fv', ...ids]);
  const vols = lines(dockerAt(L2, ['volume', 'ls', '-q', '--filter', `name=${P}-`]));
  if (vols.length) run(['volume', 'rm', '-f', ...vols]);
  const nets = lines(dockerAt(L2, ['network', 'ls', '-q', '--filter', `name=${P}-`]));
  if (nets.length) run(['network', 'rm', ...nets]);
}

describe('Tree groups: images, volumes, networks, compose projects and files of a level', function () {
  this.timeout(300_000);
  let api: DockerLevelsApi;
  const children = async (node?: TreeNode): Promise<NodeLike[]> => (await api.tree.getChildren(node)) as NodeLike[];
  const contextOf = (n: TreeNode) => String(n.getTreeItem().contextValue);

  async function level2(): Promise<NodeLike> {
    let node = (await children()).find((r) => r.id === 'root:local');
    for (const name of L2) {
      const next = (await children(node)).find((k) => k.name === name);
      assert.ok(next, `${name} in the tree`);
      node = next;
    }
    assert.ok(node);
    return node;
  }

  async function group(context: string): Promise<NodeLike> {
    const g = (await children(await level2())).find((k) => contextOf(k) === context);
    assert.ok(g, `a ${context} group under level 2`);
    assert.equal(g.getTreeItem().collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'groups start collapsed');
    return g;
  }

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    cleanUp();
    dockerAt(L2, ['volume', 'create', `${P}-vol`]);
    dockerAt(L2, ['network', 'create', `${P}-net`]);
    await api.tree.refresh();
  });

  after(async () => {
    api.setPrompts(new ScriptedPrompts([], []));
    cleanUp();
    await api.tree.refresh();
  });

  it('Images lists exactly the images docker images lists at level 2, as image nodes the commands take', async () => {
    const items = await children(await group('dockerLevels:images'));
    const want = [...new Set(lines(dockerAt(L2, ['images', '-q', '--no-trunc'])))].sort();
    assert.ok(want.length > 0, 'level 2 has images');
    assert.deepEqual(items.map((i) => i.contentTarget?.id).sort(), want);
    for (const i of items) assert.match(contextOf(i), /^dockerLevels:image(\+|$)/);
    const tags = lines(dockerAt(L2, ['images', '--format', '{{.Repository}}:{{.Tag}}'])).filter((t) => !t.includes('<none>')).sort();
    assert.deepEqual(items.flatMap((i) => (i as unknown as { image: { tags: string[] } }).image.tags).sort(), tags);
  });

  it('Volumes lists exactly docker volume ls at level 2', async () => {
    const items = await children(await group('dockerLevels:volumes'));
    const want = lines(dockerAt(L2, ['volume', 'ls', '-q'])).sort();
    assert.ok(want.includes(`${P}-vol`));
    assert.deepEqual(items.map((i) => i.contentTarget?.name).sort(), want);
    for (const i of items) assert.equal(contextOf(i), 'dockerLevels:volume');
  });

  it('Networks lists exactly docker network ls at level 2', async () => {
    const items = await children(await group('dockerLevels:networks'));
    const want = lines(dockerAt(L2, ['network', 'ls', '-q', '--no-trunc'])).sort();
    assert.ok(items.some((i) => i.contentTarget?.name === `${P}-net`));
    assert.deepEqual(items.map((i) => i.contentTarget?.id).sort(), want);
    for (const i of items) assert.equal(contextOf(i), 'dockerLevels:network');
  });

  it('an expanded Volumes group shows a volume created at level 2 from its event, with no refresh', async () => {
    await vscode.commands.executeCommand('dockerLevels.levels.focus');
    const volumes = await group('dockerLevels:volumes');
    await until('the Volumes group expanded in the view', async () => {
      await api.view.reveal(volumes, { expand: true, select: false, focus: false }).then(undefined, () => undefined);
      return ((volumes as unknown as { expanded: boolean }).expanded && api.tree.isLive(api.service.registry.openLevels().find((l) => l.path === L2.join('/'))!)) || undefined;
    }, 30_000);
    await children(volumes);
    dockerAt(L2, ['volume', 'create', `${P}-vol2`]);
    // The cached children, never fetched here: only the event can bring it.
    await until('the new volume in the group', () => volumes.children.some((c) => (c as NodeLike).contentTarget?.name === `${P}-vol2`) || undefined, 30_000);
    dockerAt(L2, ['volume', 'rm', `${P}-vol2`]);
    await until('the volume gone from the group', () => !volumes.children.some((c) => (c as NodeLike).contentTarget?.name === `${P}-vol2`) || undefined, 30_000);
  });

  it('a compose project shows as a group with its containers, Files opens a file of one, and Remove through the group removes them', async () => {
    for (const service of ['web', 'db']) {
      dockerAt(L2, ['run', '-d', '--name', `${P}-${service}-1`, '--label', `com.docker.compose.project=${PROJECT}`,
        '--label', `com.docker.compose.service=${service}`, LEAF_IMAGE]);
    }
    await api.tree.refresh(await level2());
    const project = await until('the project group under level 2', async () => (await children(await level2())).find((k) => k.composeTarget?.project === PROJECT));
    assert.equal(contextOf(project), 'dockerLevels:compose+running');
    const l2Rows = await children(await level2());
    assert.ok(!l2Rows.some((k) => k.name?.startsWith(`${P}-`)), 'the project\'s containers are not listed loose');
    const members = await children(project);
    assert.deepEqual(members.map((m) => m.name).sort(), [`${P}-db-1`, `${P}-web-1`]);

    // Files under a container: it expands to / of that container; a file row opens the file (filesTree.test.ts has the rest).
    const web = members.find((m) => m.name === `${P}-web-1`)!;
    const files = await children(web);
    assert.equal(files.length, 1);
    assert.equal(contextOf(files[0]), 'dockerLevels:files');
    const etc = (await children(files[0])).find((k) => k.getTreeItem().label === 'etc')!;
    const hostname = (await children(etc)).find((k) => k.getTreeItem().label === 'hostname')!;
    const command = hostname.getTreeItem().command;
    assert.equal(command?.command, 'docker-levels.openFileInContainer');
    const uri = await vscode.commands.executeCommand<vscode.Uri>(command.command, ...(command.arguments ?? []));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText().trim(), dockerAt(L2, ['exec', `${P}-web-1`, 'cat', '/etc/hostname']).trim());
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    const prompts = new ScriptedPrompts([], ['Remove']);
    api.setPrompts(prompts);
    await vscode.commands.executeCommand('docker-levels.removeComposeProject', project);
    assert.match(prompts.asked.at(-1) ?? '', new RegExp(`^confirm: Remove compose project ${PROJECT} \\(2 containers\\)\\?`));
    assert.deepEqual(lines(dockerAt(L2, ['ps', '-a', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Names}}'])), []);
    await until('the project group gone', async () => !(await children(await level2())).some((k) => k.composeTarget?.project === PROJECT) || undefined, 30_000);
  });
});
