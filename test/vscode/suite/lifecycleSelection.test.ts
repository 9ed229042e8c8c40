// Start, stop, restart and remove of a multi-selection in the extension host, against
// containers of the test's own in dl-bed-l1 (a dind level with one container inside, and two
// plain ones), each checked with the docker CLI there. Named dl-c2-sel-…, removed after.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import { BED, DIND_IMAGE, dockerAt, EXTENSION_ID, LEAF_IMAGE, ScriptedPrompts, until } from './bed';

type Row = TreeNode & { name?: string };
const L1 = [BED[0]];
const P = 'dl-c2-sel';
const LEVEL = `${P}-lvl`;
const PLAIN = [`${P}-a`, `${P}-b`];
const DIND_FLAGS = ['--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE', '--security-opt', 'seccomp=unconfined',
  '--security-opt', 'apparmor=unconfined', '--security-opt', 'systempaths=unconfined', '--device-cgroup-rule', 'a *:* rwm'];

const stateAt = (name: string) => dockerAt(L1, ['inspect', '--format', '{{.State.Status}} {{.State.StartedAt}}', name]).trim().split(' ');
const answers = (chain: string[]) => { try { dockerAt(chain, ['version']); return true; } catch { return false; } };

describe('Rows: lifecycle commands on a multi-selection, in the extension host', function () {
  this.timeout(300_000);
  let api: DockerLevelsApi;

  const children = async (node?: TreeNode): Promise<Row[]> => (await api.tree.getChildren(node)) as Row[];
  /** The rows of level 1 as the tree lists them now. */
  const rows = (names: string[]): Promise<Row[]> => until(`${names.join(', ')} listed under ${L1[0]}`, async () => {
    const root = (await children()).find((r) => r.id === 'root:local');
    const l1 = (await children(root)).find((k) => k.name === L1[0]);
    if (!l1) return undefined;
    await api.tree.refresh(l1);
    const kids = await children(l1);
    const found = names.map((n) => kids.find((k) => k.name === n));
    return found.every(Boolean) ? found as Row[] : undefined;
  });

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    dockerAt(L1, ['run', '-d', '--name', LEVEL, '--label', `${P}=1`, ...DIND_FLAGS, DIND_IMAGE]);
    for (const name of PLAIN) dockerAt(L1, ['run', '-d', '--name', name, '--label', `${P}=1`, LEAF_IMAGE]);
    await until(`${LEVEL} to answer`, () => answers([...L1, LEVEL]) || undefined, 90_000);
    const load = spawnSync('bash', ['-c', `docker exec ${L1[0]} docker save ${LEAF_IMAGE} | docker exec -i ${L1[0]} docker exec -i ${LEVEL} docker load`], { encoding: 'utf8' });
    assert.equal(load.status, 0, load.stderr);
    // One container inside the level, so the warning has something to count; it comes back with the level.
    dockerAt([...L1, LEVEL], ['run', '-d', '--restart', 'always', '--name', `${P}-inner`, LEAF_IMAGE]);
  });

  after(() => {
    const ids = dockerAt(L1, ['ps', '-aq', '--filter', `label=${P}=1`]).split('\n').filter(Boolean);
    if (ids.length) dockerAt(L1, ['rm', '-fv', ...ids]);
  });

  it('Stop on a level and two containers asks once, counting what runs inside the level; Cancel stops nothing, Stop stops all three', async () => {
    const selection = await rows([LEVEL, ...PLAIN]);
    const cancel = new ScriptedPrompts([], [undefined]);
    api.setPrompts(cancel);
    await vscode.commands.executeCommand('docker-levels.stopContainer', selection[1], selection);
    assert.equal(cancel.asked.length, 1, cancel.asked.join('\n'));
    assert.match(cancel.asked[0], new RegExp(`^confirm: Stop 3 containers\\? \\| Everything inside level ${LEVEL} stops with it: 1 container in 1 level\\.$`));
    for (const name of [LEVEL, ...PLAIN]) assert.equal(stateAt(name)[0], 'running', `${name} after Cancel`);

    const yes = new ScriptedPrompts([], ['Stop']);
    api.setPrompts(yes);
    await vscode.commands.executeCommand('docker-levels.stopContainer', selection[1], selection);
    assert.equal(yes.asked.length, 1, yes.asked.join('\n'));
    for (const name of [LEVEL, ...PLAIN]) assert.equal(stateAt(name)[0], 'exited', `${name} after Stop`);
  });

  it('Start on the three stopped ones asks nothing and starts all of them', async () => {
    const selection = await until('the three rows to show stopped', async () => {
      const r = await rows([LEVEL, ...PLAIN]);
      return r.every((n) => !(n as unknown as { isRunning: boolean }).isRunning) ? r : undefined;
    });
    const prompts = new ScriptedPrompts([], []);
    api.setPrompts(prompts);
    await vscode.commands.executeCommand('docker-levels.startContainer', selection[0], selection);
    assert.deepEqual(prompts.asked, []);
    for (const name of [LEVEL, ...PLAIN]) assert.equal(stateAt(name)[0], 'running', `${name} after Start`);
  });

  it('Restart on two plain containers asks nothing and restarts both; Remove on them asks once and removes both', async () => {
    const selection = await until('the two rows to show running', async () => {
      const r = await rows(PLAIN);
      return r.every((n) => (n as unknown as { isRunning: boolean }).isRunning) ? r : undefined;
    });
    const before = PLAIN.map((n) => stateAt(n)[1]);
    const restart = new ScriptedPrompts([], []);
    api.setPrompts(restart);
    await vscode.commands.executeCommand('docker-levels.restartContainer', selection[0], selection);
    assert.deepEqual(restart.asked, []);
    PLAIN.forEach((n, i) => {
      const [state, started] = stateAt(n);
      assert.equal(state, 'running');
      assert.notEqual(started, before[i], `${n} was restarted`);
    });

    const remove = new ScriptedPrompts([], ['Remove']);
    api.setPrompts(remove);
    await vscode.commands.executeCommand('docker-levels.removeContainer', selection[1], selection);
    assert.equal(remove.asked.length, 1, remove.asked.join('\n'));
    assert.match(remove.asked[0], /^confirm: Remove 2 containers\? \| The containers and their anonymous volumes are removed\.$/);
    const left = dockerAt(L1, ['ps', '-a', '--format', '{{.Names}}']).split('\n');
    for (const n of PLAIN) assert.ok(!left.includes(n), `${n} removed`);
    assert.ok(left.includes(LEVEL), 'the level, not selected, stays');
  });

  it('a row inside a selected level is left to the level: Stop on both stops the level once, without an error for the inner row', async () => {
    const [level] = await rows([LEVEL]);
    const inner = await until('the container inside the level, running again', async () => {
      await api.tree.refresh(level);
      return (await children(level)).find((k) => k.name === `${P}-inner` && (k as unknown as { isRunning: boolean }).isRunning);
    }, 90_000);
    const prompts = new ScriptedPrompts([], ['Stop']);
    api.setPrompts(prompts);
    await vscode.commands.executeCommand('docker-levels.stopContainer', level, [level, inner]);
    assert.equal(prompts.asked.length, 1, prompts.asked.join('\n'));
    assert.match(prompts.asked[0], new RegExp(`^confirm: Stop level ${LEVEL}\\? \\| Everything inside it stops with it: 1 container in 1 level\\.$`));
    assert.equal(stateAt(LEVEL)[0], 'exited');
  });
});
