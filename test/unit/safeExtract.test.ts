import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { archiveNameSegments, safeExtract, symlinkTargetSegments } from '../../src/core';

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo'; body?: string; linkname?: string; mode?: number };

/** A real tar made with tar-stream, the way a lying level could make one. */
async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    const header = { name: e.name, type: e.type ?? 'file', linkname: e.linkname, mode: e.mode } as tar.Header;
    const done = (resolve: () => void, reject: (e: Error) => void) => (err?: Error | null) => (err ? reject(err) : resolve());
    await new Promise<void>((resolve, reject) => {
      if (e.type === 'file' || !e.type) pack.entry(header, e.body ?? '', done(resolve, reject));
      else pack.entry(header, done(resolve, reject));
    });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('safe tar extraction (unit)', () => {
  let base: string;
  let dest: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-files-unit-'));
    dest = path.join(base, 'dest');
    fs.mkdirSync(dest);
    fs.writeFileSync(path.join(base, 'outside.txt'), 'outside');
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  const extract = async (entries: Entry[], options = {}) => safeExtract(Readable.from(await tarOf(entries)), dest, options);
  /** Everything under base, to prove nothing was written outside dest and nothing was kept. */
  const tree = (dir = base): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return [path.relative(base, p), ...(d.isDirectory() && !d.isSymbolicLink() ? tree(p) : [])];
  }).sort();

  it('extracts files, directories, an inner symlink and a hard link, keeping modes', async () => {
    const r = await extract([
      { name: 'top/', type: 'directory', mode: 0o755 },
      { name: 'top/a.txt', body: 'A', mode: 0o640 },
      { name: 'top/sub/', type: 'directory' },
      { name: 'top/sub/b.txt', body: 'BB' },
      { name: 'top/link', type: 'symlink', linkname: 'sub/b.txt' },
      { name: 'top/sub/up', type: 'symlink', linkname: '../a.txt' },
      { name: 'top/hard', type: 'link', linkname: 'top/a.txt' },
    ]);
    assert.equal(r.entries, 7);
    assert.equal(r.bytes, 3);
    assert.equal(fs.readFileSync(path.join(dest, 'top/link'), 'utf8'), 'BB');
    assert.equal(fs.readFileSync(path.join(dest, 'top/sub/up'), 'utf8'), 'A');
    assert.equal(fs.readFileSync(path.join(dest, 'top/hard'), 'utf8'), 'A');
    assert.equal(fs.statSync(path.join(dest, 'top/a.txt')).mode & 0o777, 0o640);
  });

  const refusals: [string, Entry[], RegExp][] = [
    ['a ".." name', [{ name: 'ok.txt', body: 'x' }, { name: '../evil.txt', body: 'x' }], /climbs out/],
    ['a ".." in the middle', [{ name: 'a/../../evil.txt', body: 'x' }], /climbs out/],
    ['an absolute name', [{ name: '/tmp/dl-files-evil.txt', body: 'x' }], /absolute name/],
    ['a symlink to an absolute path', [{ name: 'l', type: 'symlink', linkname: '/etc' }], /absolute path/],
    ['a symlink that climbs out', [{ name: 'd/l', type: 'symlink', linkname: '../../outside.txt' }], /outside the destination/],
    ['a file written through a symlink', [{ name: 'l', type: 'symlink', linkname: '.' }, { name: 'l/x.txt', body: 'x' }], /through a symlink|symlink resolves/],
    ['a chain of inner symlinks that escapes', [{ name: 'x', type: 'symlink', linkname: '.' }, { name: 'y', type: 'symlink', linkname: 'x/..' }], /resolves outside|through a symlink/],
    ['a hard link to a file outside', [{ name: 'h', type: 'link', linkname: '../outside.txt' }], /climbs out/],
    ['a hard link to a file it did not write', [{ name: 'h', type: 'link', linkname: 'nothing' }], /did not write/],
  ];
  for (const [what, entries, message] of refusals) {
    it(`refuses ${what}, and keeps nothing of the archive`, async () => {
      const before = tree();
      await assert.rejects(extract(entries), (err: Error) => message.test(err.message));
      assert.deepEqual(tree(), before);
      assert.equal(fs.readFileSync(path.join(base, 'outside.txt'), 'utf8'), 'outside');
      assert.ok(!fs.existsSync('/tmp/dl-files-evil.txt'));
    });
  }

  it('refuses to write through a symlink that was already in the destination', async () => {
    fs.symlinkSync(base, path.join(dest, 'pre'));
    await assert.rejects(extract([{ name: 'pre/evil.txt', body: 'x' }]), /through a symlink/);
    assert.ok(!fs.existsSync(path.join(base, 'evil.txt')));
  });

  it('replaces a symlink in the place of a file instead of writing through it', async () => {
    fs.symlinkSync(path.join(base, 'outside.txt'), path.join(dest, 'f.txt'));
    await extract([{ name: 'f.txt', body: 'new' }]);
    assert.equal(fs.readFileSync(path.join(base, 'outside.txt'), 'utf8'), 'outside');
    assert.equal(fs.readFileSync(path.join(dest, 'f.txt'), 'utf8'), 'new');
    assert.ok(!fs.lstatSync(path.join(dest, 'f.txt')).isSymbolicLink());
  });

  it('skips devices and FIFOs, and renames the top entry as docker cp does', async () => {
    const r = await extract([{ name: 'src/', type: 'directory' }, { name: 'src/f', body: 'x' }, { name: 'src/p', type: 'fifo' }],
      { rename: (n: string) => n.replace(/^src(?=\/|$)/, 'renamed') });
    assert.equal(r.entries, 3);
    assert.deepEqual(fs.readdirSync(path.join(dest, 'renamed')), ['f']);
  });

  it('stops at the byte and entry caps', async () => {
    await assert.rejects(extract([{ name: 'big', body: 'x'.repeat(1000) }], { maxBytes: 100 }), /passed 100 bytes/);
    assert.deepEqual(fs.readdirSync(dest), []);
    await assert.rejects(extract([{ name: 'a' }, { name: 'b' }, { name: 'c' }], { maxEntries: 2 }), /more than 2 entries/);
    assert.deepEqual(fs.readdirSync(dest), []);
  });

  it('with outsideLinks "skip", leaves out links that point outside, keeps the rest and never writes through them', async () => {
    const r = await extract([{ name: 'mtab', type: 'symlink', linkname: '/proc/mounts' }, { name: 'up', type: 'symlink', linkname: '..' },
      { name: 'ok', type: 'symlink', linkname: 'f' }, { name: 'f', body: 'F' }], { outsideLinks: 'skip' });
    assert.deepEqual(r.skippedLinks, ['mtab', 'up']);
    assert.deepEqual(fs.readdirSync(dest).sort(), ['f', 'ok']);
    await assert.rejects(extract([{ name: 'up', type: 'symlink', linkname: '..' }, { name: 'up/evil.txt', body: 'x' }], { outsideLinks: 'skip' }), /through a symlink/);
    assert.ok(!fs.existsSync(path.join(base, 'evil.txt')));
  });

  it('name and symlink checks, alone', () => {
    assert.deepEqual(archiveNameSegments('./a/./b/'), ['a', 'b']);
    assert.throws(() => archiveNameSegments('C:\\x'), /absolute/);
    assert.throws(() => archiveNameSegments('a\\..\\..\\x'), /climbs out/);
    assert.deepEqual(symlinkTargetSegments('a/b/l', ['a', 'b', 'l'], '../c'), ['a', 'c']);
    assert.throws(() => symlinkTargetSegments('l', ['l'], '..'), /outside/);
  });
});
