// Prune Level…, Show Daemon Log and Remove Orphaned Level Data… in the extension host, each
// against levels of the test's own inside dl-bed-l1 (made with the docker CLI, removed after)
// and checked against what the docker CLI sees there.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { BED, DIND_IMAGE, dockerAt, EXTENSION_ID, LEAF_IMAGE, ScriptedPrompts, until } from './bed';

interface NodeLike extends TreeNode {
  name?: string;
  message?: string;
}

const L1 = [BED[0]];
const DIND_FLAGS = ['--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE', '--security-opt', 'seccomp=unconfined',
  '--security-opt', 'apparmor=unconfined', '--security-opt', 'systempaths=unconfined', '--device-cgroup-rule', 'a *:* rwm'];
const LEVEL = 'dl-disk-vsc';
const BROKEN = 'dl-disk-vsc-broken';

describe('Disk and health commands in the extension host, against the real bed', function () {
  this.timeout(300_000);
  let api: DockerLevelsApi;
  const volumes: string[] = [];

  const children = async (node?: TreeNode): Promise<NodeLike[]> => (await api.tree.getChildren(node)) as NodeLike[];
  const nodeByPath = (names: string[]): Promise<NodeLike> => until(`${names.join('/')} in the tree`, async () => {
    let node = (await children()).find((r) => r.id === 'root:local');
    for (const name of names) {
      if (!node) return undefined;
      api.tree.refresh(node);
      node = (await children(node)).find((k) => k.name === name);
    }
    return node;
  });
  const answers = (chain: string[]) => spawnSync('docker', [...chain.flatMap((c) => ['exec', c, 'docker']), 'version'], { timeout: 30_000 }).status === 0;

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    dockerAt(L1, ['run', '-d', '--name', LEVEL, '--label', 'dl-disk=1', ...DIND_FLAGS, DIND_IMAGE]);
    dockerAt(L1, ['run', '-d', '--name', BROKEN, '--label', 'dl-disk=1', ...DIND_FLAGS, '--entrypoint', 'sh', DIND_IMAGE,
      '-c', 'dockerd --storage-driver dl-disk-bogus; exec sleep 3600']);
    await until(`${LEVEL} to answer`, () => answers([...L1, LEVEL]) || undefined, 90_000);
    // Its log is complete once its dockerd gave up: only then can two reads of it agree.
    await until(`the dockerd in ${BROKEN} to exit`, () => spawnSync('docker', ['exec', L1[0], 'docker', 'exec', BROKEN, 'sh', '-c',
      'for f in /proc/[0-9]*/comm; do [ "$(cat "$f" 2>/dev/null)" = dockerd ] && exit 1; done; exit 0']).status === 0 || undefined, 90_000);
  });

  after(() => {
    const ids = dockerAt(L1, ['ps', '-aq', '--filter', 'label=dl-disk=1']).split('\n').filter(Boolean);
    if (ids.length) dockerAt(L1, ['rm', '-fv', ...ids]);
    for (const v of volumes) spawnSync('docker', ['exec', L1[0], 'docker', 'volume', 'rm', v]);
  });

  it('Prune Level… shows the numbers first, Cancel removes nothing, Prune removes exactly those', async () => {
    const inner = [...L1, LEVEL];
    const load = spawnSync('bash', ['-c', `docker exec ${L1[0]} docker save ${LEAF_IMAGE} | docker exec -i ${L1[0]} docker exec -i ${LEVEL} docker load`], { encoding: 'utf8' });
    assert.equal(load.status, 0, load.stderr);
    dockerAt(inner, ['create', '--name', 'dl-disk-vsc-stopped', LEAF_IMAGE]);
    dockerAt(inner, ['volume', 'create', 'dl-disk-vsc-a']);
    dockerAt(inner, ['volume', 'create', 'dl-disk-vsc-b']);
    const node = await nodeByPath([L1[0], LEVEL]);

    const cancel = new ScriptedPrompts([], [undefined]);
    api.setPrompts(cancel);
    await vscode.commands.executeCommand('docker-levels.pruneLevel', node);
    assert.equal(cancel.asked.length, 1, cancel.asked.join('\n'));
    assert.match(cancel.asked[0], /^confirm: Prune dl-bed-l1\/dl-disk-vsc\? This frees [\d.]+k?B\. \| Removes 1 stopped container \([\d.]+k?B\), 2 unused volumes \(0B\)\./);
    assert.deepEqual(dockerAt(inner, ['volume', 'ls', '-q']).trim().split('\n').sort(), ['dl-disk-vsc-a', 'dl-disk-vsc-b']);

    const yes = new ScriptedPrompts([], ['Prune']);
    api.setPrompts(yes);
    const result = await vscode.commands.executeCommand<{ removed: unknown[]; failed: unknown[] }>('docker-levels.pruneLevel', node);
    assert.equal(result.removed.length, 3);
    assert.deepEqual(result.failed, []);
    assert.equal(dockerAt(inner, ['ps', '-aq']).trim(), '');
    assert.equal(dockerAt(inner, ['volume', 'ls', '-q']).trim(), '');
    // The image was in use when the list was made, so it stays though it is unused now.
    assert.deepEqual(dockerAt(inner, ['images', '--format', '{{.Repository}}:{{.Tag}}']).trim().split('\n'), [LEAF_IMAGE]);
  });

  it('Show Daemon Log opens the whole log of a dind container whose daemon does not answer', async () => {
    const node = await nodeByPath([L1[0], BROKEN]);
    const uri = await vscode.commands.executeCommand<vscode.Uri>('docker-levels.showDaemonLog', node);
    const text = (await vscode.workspace.openTextDocument(uri)).getText();
    const r = spawnSync('docker', ['exec', L1[0], 'docker', 'logs', BROKEN], { encoding: 'utf8' });
    const cliLines = `${r.stdout}${r.stderr}`.split('\n').filter(Boolean).sort();
    assert.deepEqual(text.split('\n').filter(Boolean).sort(), cliLines);
    assert.match(text, /dl-disk-bogus|graphdriver|driver/i);
  });

  it('Remove Orphaned Level Data… lists the /var/lib/docker volume a removed dind left, and removes the one picked', async () => {
    dockerAt(L1, ['run', '-d', '--name', 'dl-disk-vsc-orphan', '--label', 'dl-disk=1', ...DIND_FLAGS, DIND_IMAGE]);
    await until('dl-disk-vsc-orphan to answer', () => answers([...L1, 'dl-disk-vsc-orphan']) || undefined, 90_000);
    const mounts = JSON.parse(dockerAt(L1, ['inspect', '--format', '{{json .Mounts}}', 'dl-disk-vsc-orphan'])) as { Name: string; Destination: string }[];
    const orphan = mounts.find((m) => m.Destination === '/var/lib/docker')!.Name;
    volumes.push(orphan);
    execFileSync('docker', ['exec', L1[0], 'docker', 'rm', '-f', 'dl-disk-vsc-orphan']);

    const prompts = new ScriptedPrompts([], ['Remove'], [orphan.slice(0, 12)]);
    api.setPrompts(prompts);
    const result = await vscode.commands.executeCommand<{ removed: string[]; failed: unknown[] }>('docker-levels.removeOrphanedLevelData', await nodeByPath(L1));
    assert.equal(prompts.asked.length, 2, prompts.asked.join('\n'));
    assert.ok(prompts.asked[0].startsWith('pick: ') && prompts.asked[0].includes(orphan.slice(0, 12)), prompts.asked[0]);
    assert.match(prompts.asked[1], new RegExp(`^confirm: Remove 1 orphaned level volume on dl-bed-l1 \\(.+\\)\\? \\| ${orphan.slice(0, 12)} `));
    assert.deepEqual(result, { removed: [orphan], failed: [] });
    assert.ok(!dockerAt(L1, ['volume', 'ls', '-q']).split('\n').includes(orphan));
  });
});
