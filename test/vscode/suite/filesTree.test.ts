// The Files row of a container at depth 3 (dl-bed-web3) in the real extension host: it lists `/`
// as `docker exec … ls -A` does, directories expand lazily, a file row opens the file in the
// editor (saved back), and Download / Upload here / Delete (confirmed) / Refresh act on the rows;
// a listing is cut with a note, a failure is a row, and a stopped container lists through the
// archive API. The docker CLI through the exec chain is the witness; what is made here is
// named dl-vsc-ftree-… and removed after, also on failure.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { BED, dockerAt, EXTENSION_ID, LEAF_IMAGE, ScriptedPrompts } from './bed';

interface NodeLike extends TreeNode {
  name?: string;
  path?: string;
  message?: string;
}

const P = 'dl-vsc-ftree';
const CONTAINER = 'dl-bed-web3';
const STOPPED = `${P}-stopped`;
const lines = (t: string) => t.split('\n').filter(Boolean);

describe('Files row of a container at depth 3, in the extension host', function () {
  this.timeout(300_000);
  const dir = `/tmp/${P}-${process.pid}`;
  const local = fs.mkdtempSync(path.join(tmpdir(), `${P}-`));
  const inWeb3 = (...cmd: string[]) => dockerAt(BED, ['exec', CONTAINER, ...cmd]);
  let api: DockerLevelsApi;
  const children = async (node?: TreeNode): Promise<NodeLike[]> => (await api.tree.getChildren(node)) as NodeLike[];
  const contextOf = (n: TreeNode) => String(n.getTreeItem().contextValue);
  const labelOf = (n: TreeNode) => String(n.getTreeItem().label);
  /** The rows that stand for paths (not a note or an error row). */
  const pathRows = (kids: NodeLike[]) => kids.filter((k) => /^dockerLevels:(file|directory)(\+|$)/.test(contextOf(k)));

  async function containerNode(name: string): Promise<NodeLike> {
    let node = (await children()).find((r) => r.id === 'root:local');
    for (const level of BED) {
      const next = (await children(node)).find((k) => k.name === level);
      assert.ok(next, `${level} in the tree`);
      node = next;
    }
    await api.tree.refresh(node);
    const found = (await children(node)).find((k) => k.name === name);
    assert.ok(found, `${name} under ${BED.join('/')}`);
    return found;
  }

  async function filesOf(name: string): Promise<NodeLike> {
    const files = (await children(await containerNode(name))).find((k) => contextOf(k) === 'dockerLevels:files');
    assert.ok(files, `a Files row under ${name}`);
    assert.equal(files.getTreeItem().collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.equal(files.getTreeItem().command, undefined, 'the Files row expands, it runs no command');
    return files;
  }

  /** Walks down from a Files row by path segments, each a directory row. */
  async function dirRow(files: NodeLike, p: string): Promise<NodeLike> {
    let node = files;
    for (const part of p.split('/').filter(Boolean)) {
      const next = (await children(node)).find((k) => labelOf(k) === part);
      assert.ok(next, `${part} under ${node.path ?? '/'}`);
      assert.match(contextOf(next), /^dockerLevels:directory/);
      node = next;
    }
    return node;
  }

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    inWeb3('sh', '-c', `rm -rf ${dir} && mkdir -p ${dir}/sub ${dir}/many && printf 'seed\\n' > ${dir}/seed.txt && ln -s seed.txt ${dir}/link`
      + ` && cd ${dir}/many && i=0; while [ $i -lt 520 ]; do : > "f$i"; i=$((i+1)); done`);
  });
  after(() => {
    try {
      inWeb3('rm', '-rf', dir);
      try { dockerAt(BED, ['rm', '-f', STOPPED]); } catch { /* never made */ }
    } finally {
      fs.rmSync(local, { recursive: true, force: true });
    }
  });

  it('expanding Files lists / of the container as ls -A does; a directory lists its entries lazily', async () => {
    const files = await filesOf(CONTAINER);
    const top = pathRows(await children(files));
    assert.deepEqual(top.map(labelOf).sort(), lines(inWeb3('ls', '-A', '/')).sort());
    const tmp = top.find((k) => labelOf(k) === 'tmp');
    assert.ok(tmp);
    assert.equal(contextOf(tmp), 'dockerLevels:directory');
    assert.equal(tmp.children.length, 0, 'a directory lists nothing before it is expanded');
    const mine = await dirRow(files, dir);
    const rows = pathRows(await children(mine));
    assert.deepEqual(rows.map(labelOf), ['many', 'sub', 'link', 'seed.txt'], 'directories first, then files, by name');
    assert.deepEqual(rows.map(labelOf).sort(), lines(inWeb3('ls', '-A', dir)).sort());
    assert.equal(contextOf(rows[3]), 'dockerLevels:file+regular');
    assert.equal(contextOf(rows[2]), 'dockerLevels:file+regular+symlink');
    assert.equal(rows[2].getTreeItem().description, 'symlink', 'a running container is listed with find/stat: the target kind, not its text');
    const sub = await children(rows[1]);
    assert.deepEqual(sub.map((k) => k.message), ['Empty directory']);
  });

  it('a listing past 500 entries shows 500 rows and a note with the count', async () => {
    const many = await dirRow(await filesOf(CONTAINER), `${dir}/many`);
    const kids = await children(many);
    assert.equal(lines(inWeb3('ls', '-A', `${dir}/many`)).length, 520);
    assert.equal(pathRows(kids).length, 500);
    assert.equal(kids.length, 501);
    assert.equal(kids[500].message, '20 more entries not shown (520 in all)');
  });

  it('a file row opens the file in the editor; typing and saving writes it back at depth 3', async () => {
    const mine = await dirRow(await filesOf(CONTAINER), dir);
    const seed = (await children(mine)).find((k) => labelOf(k) === 'seed.txt')!;
    const command = seed.getTreeItem().command;
    assert.equal(command?.command, 'docker-levels.openFileInContainer');
    const uri = await vscode.commands.executeCommand<vscode.Uri>(command.command, ...(command.arguments ?? []));
    assert.equal(uri.toString(true), `docker-levels://local+${BED.join('+')}/${CONTAINER}${dir}/seed.txt`);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.equal(editor.document.getText(), 'seed\n');
    await editor.edit((b) => b.insert(new vscode.Position(1, 0), 'from the tree\n'));
    assert.ok(await editor.document.save());
    assert.equal(inWeb3('cat', `${dir}/seed.txt`), 'seed\nfrom the tree\n');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Refresh lists again, Upload here adds a file, Download saves one, Delete asks first and removes it', async () => {
    const mine = await dirRow(await filesOf(CONTAINER), dir);
    await children(mine);
    inWeb3('sh', '-c', `printf 'made by the CLI' > ${dir}/later.txt`);
    assert.ok(!pathRows(await children(mine)).some((k) => labelOf(k) === 'later.txt'), 'no file events: the cache answers until a refresh');
    await vscode.commands.executeCommand('docker-levels.refreshFiles', mine);
    assert.deepEqual(pathRows(await children(mine)).map(labelOf).sort(), lines(inWeb3('ls', '-A', dir)).sort());

    const source = path.join(local, 'up.txt');
    fs.writeFileSync(source, 'uploaded through the tree\n');
    const target = path.join(local, 'down.txt');
    api.setPrompts(Object.assign(new ScriptedPrompts([], []), {
      openFrom: () => Promise.resolve([vscode.Uri.file(source)]),
      saveTo: () => Promise.resolve(vscode.Uri.file(target)),
    }));
    await vscode.commands.executeCommand('docker-levels.uploadFile', mine);
    assert.equal(inWeb3('cat', `${dir}/up.txt`), 'uploaded through the tree\n');
    const up = pathRows(await children(mine)).find((k) => labelOf(k) === 'up.txt');
    assert.ok(up, 'Upload here lists the directory again');
    await vscode.commands.executeCommand('docker-levels.downloadFile', up);
    assert.equal(fs.readFileSync(target, 'utf8'), 'uploaded through the tree\n');

    const cancel = new ScriptedPrompts([], [undefined]);
    api.setPrompts(cancel);
    await vscode.commands.executeCommand('docker-levels.deleteContainerFile', up);
    assert.match(cancel.asked[0], new RegExp(`^confirm: Delete ${dir}/up.txt in ${CONTAINER}\\?`));
    assert.equal(inWeb3('cat', `${dir}/up.txt`), 'uploaded through the tree\n', 'Cancel deletes nothing');

    api.setPrompts(new ScriptedPrompts([], ['Delete', 'Delete']));
    await vscode.commands.executeCommand('docker-levels.deleteContainerFile', up);
    const sub = pathRows(await children(mine)).find((k) => labelOf(k) === 'sub')!;
    await vscode.commands.executeCommand('docker-levels.deleteContainerFile', sub);
    assert.deepEqual(lines(inWeb3('ls', '-A', dir)).sort(), ['later.txt', 'link', 'many', 'seed.txt']);
    assert.deepEqual(pathRows(await children(mine)).map(labelOf).sort(), ['later.txt', 'link', 'many', 'seed.txt']);
  });

  it('a directory gone since it was listed shows its error as a row with Retry, not a toast; Retry lists it again', async () => {
    inWeb3('mkdir', '-p', `${dir}/brief`);
    const mine = await dirRow(await filesOf(CONTAINER), dir);
    await vscode.commands.executeCommand('docker-levels.refreshFiles', mine);
    const brief = (await children(mine)).find((k) => labelOf(k) === 'brief')!;
    inWeb3('rmdir', `${dir}/brief`);
    const kids = await children(brief);
    assert.equal(kids.length, 1);
    assert.match(contextOf(kids[0]), /^dockerLevels:message\+retry/);
    assert.match(String(kids[0].message), /brief/);
    // Back again: Retry on the error row lists the directory anew.
    inWeb3('mkdir', '-p', `${dir}/brief`);
    await vscode.commands.executeCommand('docker-levels.retry', kids[0]);
    assert.deepEqual((await children(brief)).map((k) => k.message), ['Empty directory']);
  });

  it('a stopped container lists / through the archive API, the same names docker export holds', async () => {
    dockerAt(BED, ['rm', '-f', STOPPED]);
    dockerAt(BED, ['create', '--name', STOPPED, LEAF_IMAGE]);
    const top = pathRows(await children(await filesOf(STOPPED)));
    const exported = execFileSync('sh', ['-c', `${BED.map((c) => `docker exec -i ${c}`).join(' ')} docker export ${STOPPED} | tar -t`], { encoding: 'utf8', timeout: 120_000 });
    const names = new Set(lines(exported).map((n) => n.replace(/^\.\//, '').split('/')[0]).filter((n) => n && n !== '.'));
    assert.deepEqual(top.map(labelOf).sort(), [...names].sort());
    const etc = await children(top.find((k) => labelOf(k) === 'etc')!);
    const inEtc = new Set(lines(exported).filter((n) => /^(\.\/)?etc\/[^/]+\/?$/.test(n)).map((n) => n.replace(/^(\.\/)?etc\//, '').replace(/\/$/, '')));
    assert.deepEqual(pathRows(etc).map(labelOf).sort(), [...inEtc].sort(), 'a directory of a stopped container expands too');
  });
});
