// What a level holds besides containers, through the extension's commands in the real extension
// host against the real bed: images, volumes and networks (inspect, remove, run, multi-select)
// and compose projects (start, stop, restart, logs, remove), at level 2 (dl-bed-l1/dl-bed-l2)
// and level 3, each checked with the docker CLI at that level. Everything made here is named
// dl-vsc-contents-… and removed after, also on failure.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DaemonLevel } from '../../../src/core';
import type { ContentTarget } from '../../../src/extension/commands/contentArguments';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { BED, dockerAt, EXTENSION_ID, LEAF_IMAGE, namesAt, ScriptedPrompts, until } from './bed';

const P = 'dl-vsc-contents';
const L2 = BED.slice(0, 2);
const L2_PATH = L2.join('/');
const lines = (t: string) => t.split('\n').map((l) => l.trim()).filter(Boolean);
const tagsAt = (chain: string[]) => lines(dockerAt(chain, ['images', '--format', '{{.Repository}}:{{.Tag}}']));
const volumesAt = (chain: string[]) => lines(dockerAt(chain, ['volume', 'ls', '-q']));

function cleanUp(chain: string[]): void {
  const run = (args: string[]) => { try { dockerAt(chain, args); } catch { /* already gone */ } };
  const ids = lines(dockerAt(chain, ['ps', '-aq', '--filter', `name=^/?${P}-`]));
  if (ids.length) run(['rm', '-fv', ...ids]);
  const vols = lines(dockerAt(chain, ['volume', 'ls', '-q', '--filter', `name=${P}-`]));
  if (vols.length) run(['volume', 'rm', '-f', ...vols]);
  const nets = lines(dockerAt(chain, ['network', 'ls', '-q', '--filter', `name=${P}-`]));
  if (nets.length) run(['network', 'rm', ...nets]);
  const imgs = lines(dockerAt(chain, ['images', '--format', '{{.Repository}}:{{.Tag}}', `${P}/*`]));
  if (imgs.length) run(['rmi', '-f', ...imgs]);
}

describe('Images, volumes, networks and compose projects of a level, in the extension host', function () {
  this.timeout(300_000);
  let api: DockerLevelsApi;

  const children = async (node?: TreeNode): Promise<(TreeNode & { name?: string })[]> => (await api.tree.getChildren(node)) as (TreeNode & { name?: string })[];
  /** Expands the tree down a chain of levels, so the registry holds them open as the tree does. */
  async function expand(names: string[]): Promise<void> {
    let node = (await children()).find((r) => r.id === 'root:local');
    for (const name of names) {
      const next = (await children(node)).find((k) => k.name === name);
      assert.ok(next, `${name} in the tree`);
      node = next;
    }
    await children(node);
  }
  const openLevel = (path: string): DaemonLevel => {
    const level = api.service.registry.openLevels().find((l) => l.path === path);
    assert.ok(level, `${path} is open`);
    return level;
  };
  /** What an image, volume or network node hands to the commands. */
  const nodeOf = (target: ContentTarget) => ({ contentTarget: target });

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    cleanUp(L2);
    cleanUp(BED);
    await expand(BED);
  });

  after(() => {
    cleanUp(L2);
    cleanUp(BED);
  });

  it('Inspect Image, Inspect Volume and Inspect Network, picked from the palette at level 2, show what docker inspect says there', async () => {
    dockerAt(L2, ['tag', LEAF_IMAGE, `${P}/img:1`]);
    dockerAt(L2, ['volume', 'create', `${P}-vol`]);
    dockerAt(L2, ['network', 'create', `${P}-net`]);
    for (const [command, pick, args] of [
      ['docker-levels.inspectImage', `${P}/img:1`, ['image', 'inspect', `${P}/img:1`]],
      ['docker-levels.inspectVolume', `${P}-vol`, ['volume', 'inspect', `${P}-vol`]],
      ['docker-levels.inspectNetwork', `${P}-net`, ['network', 'inspect', `${P}-net`]],
    ] as const) {
      const prompts = new ScriptedPrompts([], [], [L2_PATH, pick]);
      api.setPrompts(prompts);
      await vscode.commands.executeCommand(command);
      assert.equal(prompts.asked.length, 2, prompts.asked.join('\n'));
      const doc = await until('the inspect document', () => vscode.window.activeTextEditor?.document);
      assert.equal(doc.languageId, 'json');
      const shown = JSON.parse(doc.getText()) as Record<string, unknown>;
      const cli = (JSON.parse(dockerAt(L2, [...args])) as Record<string, unknown>[])[0];
      for (const key of ['Id', 'Name', 'RepoTags', 'Driver', 'Mountpoint', 'IPAM']) assert.deepEqual(shown[key], cli[key], `${command} ${key}`);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });

  it('Run Image at level 2 starts a container from it with the name and command given', async () => {
    const prompts = new ScriptedPrompts([`${P}-run`, `sh -c "echo ran; exec /usr/local/bin/idle"`], [], [L2_PATH, `${P}/img:1`]);
    api.setPrompts(prompts);
    await vscode.commands.executeCommand('docker-levels.runImage');
    const [running, cmd] = lines(dockerAt(L2, ['inspect', '-f', '{{.State.Running}}\n{{json .Config.Cmd}}', `${P}-run`]));
    assert.equal(running, 'true');
    assert.deepEqual(JSON.parse(cmd), ['sh', '-c', 'echo ran; exec /usr/local/bin/idle']);
    assert.equal(lines(dockerAt(L2, ['logs', `${P}-run`]))[0], 'ran');
  });

  it('Remove Image on an image in use at level 3 says which container uses it, and does nothing when cancelled', async () => {
    dockerAt(BED, ['create', '--name', `${P}-base`, LEAF_IMAGE]);
    dockerAt(BED, ['commit', `${P}-base`, `${P}/solo:1`]);
    dockerAt(BED, ['rm', `${P}-base`]);
    dockerAt(BED, ['create', '--name', `${P}-user`, `${P}/solo:1`]);
    const cancel = new ScriptedPrompts([], [undefined], [BED.join('/'), `${P}/solo:1`]);
    api.setPrompts(cancel);
    await vscode.commands.executeCommand('docker-levels.removeImage');
    const confirm = cancel.asked.find((a) => a.startsWith('confirm:'));
    assert.match(confirm ?? '', new RegExp(`^confirm: Remove image ${P}/solo:1\\? \\| ${P}/solo:1 is used by container: ${P}-user\\.`));
    assert.ok(tagsAt(BED).includes(`${P}/solo:1`), 'still there after cancel');

    // Free: asked plainly, then removed.
    dockerAt(BED, ['rm', `${P}-user`]);
    const agree = new ScriptedPrompts([], ['Remove'], [BED.join('/'), `${P}/solo:1`]);
    api.setPrompts(agree);
    await vscode.commands.executeCommand('docker-levels.removeImage');
    assert.match(agree.asked.find((a) => a.startsWith('confirm:')) ?? '', /\| On L3 dl-bed-l1\/dl-bed-l2\/dl-bed-l3\. This cannot be undone\./);
    assert.ok(!tagsAt(BED).includes(`${P}/solo:1`), 'removed');
  });

  it('Remove Volume and Remove Network act on a multi-selection at level 2, after one question', async () => {
    const level = openLevel(L2_PATH);
    dockerAt(L2, ['volume', 'create', `${P}-vol-b`]);
    const a: ContentTarget = { kind: 'volume', daemon: level, id: `${P}-vol`, name: `${P}-vol`, tags: [] };
    const b: ContentTarget = { kind: 'volume', daemon: level, id: `${P}-vol-b`, name: `${P}-vol-b`, tags: [] };
    const prompts = new ScriptedPrompts([], ['Remove']);
    api.setPrompts(prompts);
    await vscode.commands.executeCommand('docker-levels.removeVolume', nodeOf(a), [nodeOf(a), nodeOf(b)]);
    assert.deepEqual(prompts.asked, ['confirm: Remove 2 volumes? | On L2 dl-bed-l1/dl-bed-l2. Its data is deleted; this cannot be undone.']);
    assert.deepEqual(volumesAt(L2).filter((v) => v.startsWith(P)), []);

    const netId = lines(dockerAt(L2, ['network', 'inspect', '-f', '{{.Id}}', `${P}-net`]))[0];
    const net: ContentTarget = { kind: 'network', daemon: level, id: netId, name: `${P}-net`, tags: [] };
    api.setPrompts(new ScriptedPrompts([], ['Remove']));
    await vscode.commands.executeCommand('docker-levels.removeNetwork', nodeOf(net), [nodeOf(net)]);
    assert.ok(!lines(dockerAt(L2, ['network', 'ls', '--format', '{{.Name}}'])).includes(`${P}-net`));
  });

  it('Copy Image to Level on an image node copies that image from its level to level 3', async () => {
    const level = openLevel(L2_PATH);
    const id = lines(dockerAt(L2, ['image', 'inspect', '-f', '{{.Id}}', `${P}/img:1`]))[0];
    const image: ContentTarget = { kind: 'image', daemon: level, id, name: `${P}/img:1`, tags: [`${P}/img:1`] };
    const prompts = new ScriptedPrompts([], [], [BED.join('/')]);
    api.setPrompts(prompts);
    await vscode.commands.executeCommand('docker-levels.copyImageToLevel', nodeOf(image));
    assert.equal(prompts.asked.length, 1, 'only the target level is asked');
    assert.ok(tagsAt(BED).includes(`${P}/img:1`), 'copied to level 3');
  });

  describe('a compose project at level 2', () => {
    const project = `${P}-proj`;
    const state = () => lines(dockerAt(L2, ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}={{.State}}'])).sort();
    const picks = () => [L2_PATH, project];

    before(() => {
      for (const service of ['web', 'db']) {
        dockerAt(L2, ['run', '-d', '--name', `${P}-${service}-1`, '--label', `com.docker.compose.project=${project}`,
          '--label', `com.docker.compose.service=${service}`, LEAF_IMAGE]);
      }
    });

    it('Stop, Start and Restart Compose Project act on every container of the project', async () => {
      api.setPrompts(new ScriptedPrompts([], [], picks()));
      await vscode.commands.executeCommand('docker-levels.stopComposeProject');
      assert.deepEqual(state(), [`${P}-db-1=exited`, `${P}-web-1=exited`]);
      api.setPrompts(new ScriptedPrompts([], [], picks()));
      await vscode.commands.executeCommand('docker-levels.startComposeProject');
      assert.deepEqual(state(), [`${P}-db-1=running`, `${P}-web-1=running`]);
      const before = lines(dockerAt(L2, ['inspect', '-f', '{{.State.StartedAt}}', `${P}-web-1`, `${P}-db-1`]));
      api.setPrompts(new ScriptedPrompts([], [], picks()));
      await vscode.commands.executeCommand('docker-levels.restartComposeProject');
      assert.deepEqual(state(), [`${P}-db-1=running`, `${P}-web-1=running`]);
      const after = lines(dockerAt(L2, ['inspect', '-f', '{{.State.StartedAt}}', `${P}-web-1`, `${P}-db-1`]));
      assert.ok(after.every((t, i) => t !== before[i]), `both restarted: ${before.join(' ')} → ${after.join(' ')}`);
    });

    it('View Compose Project Logs follows every container in one terminal, each line prefixed', async () => {
      api.setPrompts(new ScriptedPrompts([], [], picks()));
      const terminal = await vscode.commands.executeCommand<vscode.Terminal>('docker-levels.viewComposeProjectLogs');
      assert.ok(terminal, 'a logs terminal was opened');
      const pty = api.terminals.ptyOf(terminal);
      assert.ok(pty);
      let out = '';
      const sub = pty.onDidWrite((d) => { out += d; });
      try {
        for (const service of ['web', 'db']) {
          const line = `dl-compose-line-${service}-${process.pid}`;
          dockerAt(L2, ['exec', `${P}-${service}-1`, 'sh', '-c', `echo ${line} > /proc/1/fd/1`]);
          await until(`${line} in the logs terminal`, () => new RegExp(`${P}-${service}-1 +\\| ${line}\r\n`).test(out) || undefined, 30_000);
        }
      } finally {
        sub.dispose();
        terminal.dispose();
      }
    });

    it('Remove Compose Project asks first, naming its containers, then removes them all', async () => {
      const cancel = new ScriptedPrompts([], [undefined], picks());
      api.setPrompts(cancel);
      await vscode.commands.executeCommand('docker-levels.removeComposeProject');
      assert.match(cancel.asked.at(-1) ?? '', new RegExp(`^confirm: Remove compose project ${project} \\(2 containers\\)\\? \\| On L2 dl-bed-l1/dl-bed-l2: (${P}-web-1, ${P}-db-1|${P}-db-1, ${P}-web-1), with their anonymous volumes\\.$`));
      assert.equal(state().length, 2, 'nothing removed on cancel');
      api.setPrompts(new ScriptedPrompts([], ['Remove'], picks()));
      await vscode.commands.executeCommand('docker-levels.removeComposeProject');
      assert.deepEqual(state(), []);
      assert.ok(!namesAt(L2).some((n) => n.startsWith(`${P}-web`) || n.startsWith(`${P}-db`)));
    });
  });
});
