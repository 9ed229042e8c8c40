// Terminal resize at depth 3 and Copy Image to Level cancelled half-way, in the real extension
// host against the real bed (level 3 is dl-bed-l1/l2/l3). Cancel is the real notification's
// Cancel button, pressed through VS Code's own "Accept Notification Primary Action" command.
import * as assert from 'node:assert/strict';
import { Transform } from 'node:stream';
import * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import { BED, DIND_IMAGE, dockerAt, EXTENSION_ID, ScriptedPrompts, until, treeWalker } from './bed';

describe('more commands: terminal resize and a cancelled image copy', function () {
  this.timeout(300_000);
  let api: DockerLevelsApi;
  const { nodeAt } = treeWalker(() => api);

  before(async () => {
    const ext = vscode.extensions.getExtension<DockerLevelsApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
  });

  it('a terminal at depth 3 follows setDimensions: `stty size` prints each new size', async () => {
    const terminal = await vscode.commands.executeCommand<vscode.Terminal>('docker-levels.openTerminal', await nodeAt([...BED, 'dl-bed-web3']));
    assert.ok(terminal, 'a terminal was opened');
    const pty = api.terminals.ptyOf(terminal);
    assert.ok(pty?.setDimensions && pty.handleInput, 'the terminal is one of the extension\'s, with resize and input');
    let out = '';
    const sub = pty.onDidWrite((d) => { out += d; });
    try {
      // The shell answers first (the echoed command line has $((1+1)), only the output has 2).
      await until('the shell at depth 3', () => {
        if (out.includes('dl-ready-2')) return true;
        pty.handleInput!('echo dl-ready-$((1+1))\r');
        return undefined;
      }, 60_000);
      await until('the terminal level in the status bar', () => /^\$\(layers\) L3 /.test(api.terminals.statusText ?? '') || undefined, 30_000);
      for (const size of [{ columns: 91, rows: 27 }, { columns: 133, rows: 41 }]) {
        pty.setDimensions!(size);
        out = '';
        let polls = 0;
        await until(`stty size = ${size.rows} ${size.columns}`, () => {
          if (new RegExp(`(^|\\n)${size.rows} ${size.columns}\\r?\\n`).test(out)) return true;
          if (polls++ % 8 === 0) pty.handleInput!('stty size\r');
          return undefined;
        }, 30_000);
      }
    } finally {
      sub.dispose();
      terminal.dispose();
    }
  });

  it('Copy Image to Level, cancelled while the image streams: nothing is at level 3 and nothing half-loaded stays', async () => {
    const tag = `docker-levels-test/dind:cancel-${process.pid}`;
    const l1 = BED.slice(0, 1);
    const tmpAtL3 = () => dockerAt(BED.slice(0, 2), ['exec', BED[2], 'ls', '-A', '/var/lib/docker/tmp']).split('\n').filter(Boolean).sort();
    const imagesAtL3 = () => dockerAt(BED, ['image', 'ls', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}']).split('\n').filter(Boolean).sort();
    dockerAt(l1, ['tag', DIND_IMAGE, tag]);
    const size = Number(dockerAt(l1, ['image', 'inspect', '--format', '{{.Size}}', tag]).trim());
    const target = api.service.registry.get((await nodeAt(BED)).levelId!);
    assert.ok(target, 'level 3 is open');
    const before = { tmp: tmpAtL3(), images: imagesAtL3() };
    // Counts the bytes level 3 is sent, to press Cancel half-way (the load call itself is the real one).
    let sent = 0;
    const docker = target.docker as unknown as { loadImage: (file: NodeJS.ReadableStream, opts: unknown) => Promise<unknown> };
    const load = docker.loadImage;
    docker.loadImage = function (file, opts) {
      const counted = new Transform({ transform(chunk: Buffer, _e, cb) { sent += chunk.length; cb(null, chunk); } });
      file.pipe(counted);
      return load.call(this, counted, opts);
    };
    try {
      api.setPrompts(new ScriptedPrompts([], [], [tag, target.path]));
      let settled = false;
      const run = Promise.resolve(vscode.commands.executeCommand('docker-levels.copyImageToLevel', await nodeAt(l1))).finally(() => { settled = true; });
      await until('16 MB on their way to level 3', () => sent >= 16 << 20 || settled || undefined, 120_000);
      assert.equal(settled, false, 'the copy was still running when Cancel was pressed');
      await vscode.commands.executeCommand('notification.acceptPrimaryAction');
      await run;
      assert.ok(sent < size, `the copy stopped before the whole image was sent (${sent} of ${size} bytes)`);
      // The daemon at level 3 drops its unpacked part; then nothing differs from before.
      await until('level 3\'s temp folder as before', () => JSON.stringify(tmpAtL3()) === JSON.stringify(before.tmp) || undefined, 60_000);
      assert.deepEqual(imagesAtL3(), before.images, `no image and no tag ${tag} at level 3`);
      assert.ok(dockerAt(l1, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']).split('\n').includes(tag), 'the source keeps its image');
    } finally {
      docker.loadImage = load;
      dockerAt(l1, ['rmi', tag]);
      try { dockerAt(BED, ['rmi', tag]); } catch { /* never copied */ }
    }
  });
});
