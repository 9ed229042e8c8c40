// Files in a container at depth 3 through the docker-levels: file system and its commands,
// each checked against what the docker CLI sees in the container (through the exec chain).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import { BED, dockerAt, EXTENSION_ID, ScriptedPrompts } from './bed';

describe('Files in a container at depth 3, in the extension host', function () {
  this.timeout(300_000);
  const container = 'dl-bed-web3';
  const dir = `/tmp/dl-vsc-files-${process.pid}`;
  const local = fs.mkdtempSync(path.join(tmpdir(), 'dl-vsc-files-'));
  let api: DockerLevelsApi;
  const inWeb3 = (...cmd: string[]) => dockerAt(BED, ['exec', container, ...cmd]);
  const uri = (p: string) => vscode.Uri.from({ scheme: 'docker-levels', authority: ['local', ...BED].join('+'), path: `/${container}${p}` });

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    inWeb3('sh', '-c', `rm -rf ${dir} && mkdir -p ${dir} && printf 'from the CLI\\n' > ${dir}/seed.txt`);
  });
  after(() => {
    try {
      inWeb3('rm', '-rf', dir);
    } finally {
      fs.rmSync(local, { recursive: true, force: true });
    }
  });

  it('workspace.fs reads, writes, lists, renames and deletes, the docker CLI as witness', async () => {
    const seed = await vscode.workspace.fs.readFile(uri(`${dir}/seed.txt`));
    assert.equal(Buffer.from(seed).toString(), 'from the CLI\n');
    await vscode.workspace.fs.writeFile(uri(`${dir}/new.txt`), Buffer.from('from workspace.fs\n'));
    assert.equal(inWeb3('cat', `${dir}/new.txt`), 'from workspace.fs\n');
    const stat = await vscode.workspace.fs.stat(uri(`${dir}/new.txt`));
    assert.equal(stat.type, vscode.FileType.File);
    assert.equal(stat.size, 18);
    assert.equal(stat.permissions, undefined);
    const listed = await vscode.workspace.fs.readDirectory(uri(dir));
    assert.deepEqual(listed.map(([n, t]) => `${n}:${t}`).sort(), [`new.txt:${vscode.FileType.File}`, `seed.txt:${vscode.FileType.File}`]);
    await vscode.workspace.fs.createDirectory(uri(`${dir}/sub`));
    await vscode.workspace.fs.rename(uri(`${dir}/new.txt`), uri(`${dir}/sub/moved.txt`));
    assert.equal(inWeb3('cat', `${dir}/sub/moved.txt`), 'from workspace.fs\n');
    await vscode.workspace.fs.delete(uri(`${dir}/sub`), { recursive: true });
    assert.deepEqual(inWeb3('ls', '-1', dir).split('\n').filter(Boolean), ['seed.txt']);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(uri(`${dir}/gone`))), (e: vscode.FileSystemError) => e.code === 'FileNotFound');
  });

  it('docker-levels.openFileInContainer opens the file in an editor whose URI names the level chain; saving writes it back', async () => {
    const opened = await vscode.commands.executeCommand<vscode.Uri>('docker-levels.openFileInContainer', uri(`${dir}/seed.txt`));
    assert.equal(opened.toString(true), `docker-levels://local+dl-bed-l1+dl-bed-l2+dl-bed-l3/${container}${dir}/seed.txt`);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.equal(editor.document.uri.toString(), opened.toString());
    assert.equal(editor.document.getText(), 'from the CLI\n');
    await editor.edit((b) => b.insert(new vscode.Position(1, 0), 'edited in VS Code\n'));
    assert.ok(await editor.document.save());
    assert.equal(inWeb3('cat', `${dir}/seed.txt`), 'from the CLI\nedited in VS Code\n');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('docker-levels.uploadFile and docker-levels.downloadFile stream one file each way', async () => {
    const source = path.join(local, 'up.bin');
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 7, 0x5a);
    fs.writeFileSync(source, bytes);
    const target = path.join(local, 'down.bin');
    const prompts = new ScriptedPrompts([], []);
    api.setPrompts(Object.assign(prompts, {
      openFrom: () => Promise.resolve([vscode.Uri.file(source)]),
      saveTo: () => Promise.resolve(vscode.Uri.file(target)),
    }));
    const uploaded = await vscode.commands.executeCommand<vscode.Uri>('docker-levels.uploadFile', uri(dir));
    assert.equal(uploaded.path, `/${container}${dir}/up.bin`);
    assert.equal(inWeb3('stat', '-c', '%s', `${dir}/up.bin`).trim(), String(bytes.length));
    const saved = await vscode.commands.executeCommand<vscode.Uri>('docker-levels.downloadFile', uploaded);
    assert.equal(saved.fsPath, target);
    assert.ok(fs.readFileSync(target).equals(bytes));
    assert.deepEqual(fs.readdirSync(local).sort(), ['down.bin', 'up.bin']);
  });
});
