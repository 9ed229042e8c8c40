/**
 * A level's archive is untrusted: these tests drive `docker-levels cp` and the core against a
 * FAKE daemon (fakeArchiveDaemon.ts, 127.0.0.1 only) whose tar climbs out with "..", names
 * absolute paths, or writes through symlinks, and one that stalls mid-stream. A real dockerd
 * cannot be made to send either. The witness is the local file system: nothing is written
 * outside the destination, nothing half-written is kept.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar-stream';
import { ContainerFiles, copyToContainer, DockerLevelsError, endpointFromSetting, Levels } from '../../src/core';
import { type FakeArchive, type FakeArchiveDaemon, makeTar, startFakeArchiveDaemon } from './fakeArchiveDaemon';
import { spawn } from 'node:child_process';

const CLI = path.resolve(__dirname, '../../out/cli.js');

/** The CLI in a child process, awaited (never spawnSync: the fake answers from this process). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, DOCKER_HOST: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every path under `dir`, relative, sorted (symlinks not followed). */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

/** The entry names of a tar (as far as it goes: a refused copy may cut it). */
async function tarNames(body: Buffer): Promise<string[]> {
  const names: string[] = [];
  const extract = tar.extract();
  extract.on('entry', (h, s, next) => { names.push(h.name); s.on('end', next); s.resume(); });
  await new Promise<void>((resolve) => {
    extract.on('finish', resolve);
    extract.on('error', () => resolve());
    extract.end(body);
  });
  return names;
}

describe('hostile archives from a fake level: cp refuses, nothing lands outside (integration)', function () {
  this.timeout(120_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-files2-hostile-'));
  const box = path.join(work, 'box');
  const absTarget = path.join(work, 'abs');
  let fake: FakeArchiveDaemon | undefined;
  let served: Record<string, FakeArchive> = {};

  beforeEach(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(box, { recursive: true });
    served = {};
    fake = await startFakeArchiveDaemon(['victim', 'other'], (p) => served[p]);
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  const hostile: { title: string; entries: Parameters<typeof makeTar>[0] }[] = [
    { title: 'a name that climbs out with ..', entries: [{ name: 'data/', type: 'directory' }, { name: 'data/ok.txt', body: 'ok' }, { name: 'data/../../escaped.txt', body: 'pwned' }] },
    { title: 'an absolute name', entries: [{ name: 'data/', type: 'directory' }, { name: path.join(absTarget, 'pwned.txt'), body: 'pwned' }] },
    { title: 'a file written through a symlink that leads out', entries: [{ name: 'data/', type: 'directory' }, { name: 'data/link', type: 'symlink', linkname: '../..' }, { name: 'data/link/escaped.txt', body: 'pwned' }] },
    { title: 'a file written through an absolute symlink', entries: [{ name: 'data/', type: 'directory' }, { name: 'data/abs', type: 'symlink', linkname: work }, { name: 'data/abs/escaped.txt', body: 'pwned' }] },
    { title: 'a hard link to a file outside', entries: [{ name: 'data/', type: 'directory' }, { name: 'data/hard', type: 'link', linkname: '../../../etc/passwd' }] },
  ];

  for (const h of hostile) {
    it(`cp out refuses ${h.title}; the destination's parent holds nothing new`, async () => {
      served['/data'] = { kind: 'directory', tar: await makeTar(h.entries) };
      const r = await cli(['cp', '--host', fake!.url, 'victim:/data', path.join(box, 'dest')]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Refused the archive entry/);
      assert.deepEqual(tree(work), ['box'], 'nothing kept, nothing outside box');
    });

    it(`cp between containers refuses ${h.title} before the target's daemon sees it`, async () => {
      served['/data'] = { kind: 'directory', tar: await makeTar(h.entries) };
      served['/tmp'] = { kind: 'directory', tar: Buffer.alloc(0) };
      const r = await cli(['cp', '--host', fake!.url, 'victim:/data', 'other:/tmp']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Refused the archive entry/);
      for (const put of fake!.puts()) {
        for (const name of await tarNames(put.body)) {
          assert.ok(!name.startsWith('/') && !name.split('/').includes('..'), `the target was sent ${name}`);
          assert.ok(!/^data\/(link|abs)\//.test(name), `the target was sent ${name}, through a symlink`);
        }
      }
    });
  }

  it('a symlink that points out is left out and named; the rest is copied', async () => {
    served['/data'] = {
      kind: 'directory',
      tar: await makeTar([{ name: 'data/', type: 'directory' }, { name: 'data/out', type: 'symlink', linkname: '../../../etc' }, { name: 'data/ok.txt', body: 'fine' }]),
    };
    const r = await cli(['cp', '--host', fake!.url, 'victim:/data', path.join(box, 'dest')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /left out the symlink data\/out/);
    assert.deepEqual(tree(work), ['box', path.join('box', 'dest'), path.join('box', 'dest', 'ok.txt')]);
    assert.equal(fs.readFileSync(path.join(box, 'dest', 'ok.txt'), 'utf8'), 'fine');
  });

  describe('a level that stalls mid-stream', () => {
    const big = Buffer.alloc(1024 * 1024, 0x62);
    beforeEach(async () => {
      served['/big.bin'] = { kind: 'file', size: big.length, tar: await makeTar([{ name: 'big.bin', body: big }]), stallAfter: 200_000 };
    });

    it('cp out fails with the idle deadline and removes the partial file', async () => {
      const r = await cli(['cp', '--host', fake!.url, '--timeout', '1000', 'victim:/big.bin', path.join(box, 'big.bin')]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /sent no bytes for 3 s/);
      assert.deepEqual(tree(work), ['box'], 'the partial file is gone');
    });

    it('a read (what Download and the editor use) fails with a timeout, not a hang', async () => {
      const levels = new Levels([endpointFromSetting({ url: fake!.url })], { timeoutMs: 1000 });
      try {
        const files = new ContainerFiles(levels.roots()[0], '01'.padEnd(64, 'f'));
        await assert.rejects(files.read('/big.bin'), (e: DockerLevelsError) => e.kind === 'timeout' && /sent no bytes/.test(e.message));
        const opened = await files.open('/big.bin');
        let got = 0;
        await assert.rejects((async () => { for await (const c of opened.content) got += (c as Buffer).length; })(),
          (e: DockerLevelsError) => e.kind === 'timeout');
        assert.ok(got < big.length, `${got} bytes arrived of ${big.length}`);
      } finally {
        levels.dispose();
      }
    });

    it('an upload to a level that stops reading fails with the idle deadline, not a hang', async () => {
      await fake!.close();
      served['/tmp'] = { kind: 'directory', tar: Buffer.alloc(0) };
      fake = await startFakeArchiveDaemon(['victim'], (p) => served[p], { stallPuts: true });
      const local = path.join(work, 'up.bin');
      fs.writeFileSync(local, Buffer.alloc(48 * 1024 * 1024, 0x63));
      const levels = new Levels([endpointFromSetting({ url: fake.url })], { timeoutMs: 1000 });
      try {
        await assert.rejects(copyToContainer(levels.roots()[0], '01'.padEnd(64, 'f'), local, '/tmp'),
          (e: DockerLevelsError) => e.kind === 'timeout' && /read no bytes for 3 s/.test(e.message));
      } finally {
        levels.dispose();
      }
    });
  });
});
