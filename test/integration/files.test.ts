import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar-stream';
import { ContainerFiles, DaemonLevel, execBounded, Levels, listViaArchive, ToolMissingError } from '../../src/core';
import { bedChain, cli, dockerAt, newLevels, openBedLevel, REPO, theBed } from './testBed';

/** A tar made here: the root file system of an image with no shell, one file and one directory. */
async function noShellRootfs(): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: 'hello.txt', mode: 0o644 }, 'hello from a container with no shell\n');
  pack.entry({ name: 'data/', type: 'directory', mode: 0o755 });
  pack.entry({ name: 'data/one', mode: 0o600 }, '1');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('files in containers at depth 3 (integration)', function () {
  this.timeout(180_000);
  const l3chain = () => bedChain(3);
  const DIR = '/tmp/dl-files-test';
  let levels: Levels;
  let l3: DaemonLevel;
  let web3: ContainerFiles;
  let noShell: ContainerFiles;
  let readonly: ContainerFiles;
  let local: string;
  const inWeb3 = (...cmd: string[]) => dockerAt(l3chain(), ['exec', theBed().web3.name, ...cmd]);

  before(async () => {
    levels = newLevels();
    l3 = await openBedLevel(levels, 3);
    web3 = new ContainerFiles(l3, theBed().web3.id);
    inWeb3('sh', '-c', `rm -rf ${DIR} && mkdir -p ${DIR}/sub && printf 'one\\n' > ${DIR}/a.txt && printf x > "${DIR}/with space" && printf y > "${DIR}/new
line" && ln -s a.txt ${DIR}/link && ln -s /etc ${DIR}/abs-link && chmod 600 ${DIR}/a.txt && chown 1234:2345 ${DIR}/a.txt`);
    dockerAt(l3chain(), ['rm', '-f', 'dl-files-noshell', 'dl-files-ro'], undefined);
    dockerAt(l3chain(), ['import', '-', 'dl-files-noshell:1'], await noShellRootfs());
    const noShellId = dockerAt(l3chain(), ['create', '--name', 'dl-files-noshell', 'dl-files-noshell:1', '/nothing']).trim();
    noShell = new ContainerFiles(l3, noShellId);
    const roId = dockerAt(l3chain(), ['run', '-d', '--read-only', '--name', 'dl-files-ro', 'docker-levels-test/leaf:latest']).trim();
    readonly = new ContainerFiles(l3, roId);
    local = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-files-'));
  });
  after(() => {
    try {
      inWeb3('rm', '-rf', DIR);
      dockerAt(l3chain(), ['rm', '-f', 'dl-files-noshell', 'dl-files-ro']);
      dockerAt(l3chain(), ['rmi', 'dl-files-noshell:1']);
    } finally {
      levels.dispose();
      fs.rmSync(local, { recursive: true, force: true });
    }
  });

  it('stat and read match what cat and stat say through the docker exec chain', async () => {
    const info = await web3.stat(`${DIR}/a.txt`);
    assert.equal(info.kind, 'file');
    assert.equal(info.size, 4);
    assert.equal(info.permissions, 0o600);
    assert.equal(info.readonly, false);
    assert.equal((await web3.read('/etc/hostname')).toString(), inWeb3('cat', '/etc/hostname'));
    const link = await web3.stat(`${DIR}/link`);
    assert.deepEqual([link.kind, link.isSymlink, link.size], ['file', true, 4]);
    assert.equal((await web3.read(`${DIR}/link`)).toString(), 'one\n');
    assert.equal((await web3.stat(`${DIR}/abs-link`)).kind, 'directory');
    await assert.rejects(web3.stat(`${DIR}/missing`), (e: Error & { kind: string }) => e.kind === 'notFound' && /No such file/.test(e.message));
  });

  it('lists through find and stat, odd names included, the same as the archive route', async () => {
    const entries = await web3.list(DIR);
    assert.equal(web3.lastListingRoute, 'exec');
    const byName = new Map(entries.map((e) => [e.name, e]));
    assert.deepEqual([...byName.keys()].sort(), ['a.txt', 'abs-link', 'link', 'new\nline', 'sub', 'with space']);
    assert.equal(byName.get('sub')!.kind, 'directory');
    assert.equal(byName.get('link')!.kind, 'symlink');
    assert.equal(byName.get('link')!.targetKind, 'file');
    assert.equal(byName.get('abs-link')!.targetKind, 'directory');
    const viaArchive = await listViaArchive(l3, theBed().web3.id, DIR);
    // Names, kinds and file sizes agree (a tar gives directories and links no size).
    const brief = (e: { name: string; kind: string; size: number }) => `${e.name}:${e.kind}:${e.kind === 'file' ? e.size : ''}`;
    assert.deepEqual(viaArchive.map(brief).sort(), entries.map(brief).sort());
    // The witness: find's own NUL-separated names (busybox ls shows the newline as "?").
    const found = inWeb3('find', DIR, '-mindepth', '1', '-maxdepth', '1', '-print0').split('\0').filter(Boolean).map((p) => p.slice(DIR.length + 1));
    assert.deepEqual(found.sort(), [...byName.keys()].sort());
  });

  it('writes keep the file\'s mode and owner; new files, directories, rename and delete, checked with the docker CLI', async () => {
    await web3.write(`${DIR}/a.txt`, Buffer.from('two\n'));
    assert.equal(inWeb3('cat', `${DIR}/a.txt`), 'two\n');
    assert.equal(inWeb3('stat', '-c', '%a %u %g', `${DIR}/a.txt`).trim(), '600 1234 2345');
    await web3.write(`${DIR}/link`, Buffer.from('through the link\n'));
    assert.equal(inWeb3('cat', `${DIR}/a.txt`), 'through the link\n');
    assert.equal(inWeb3('readlink', `${DIR}/link`).trim(), 'a.txt');
    await assert.rejects(web3.write(`${DIR}/a.txt`, Buffer.from('x'), { overwrite: false }), /already exists/);
    await assert.rejects(web3.write(`${DIR}/nope.txt`, Buffer.from('x'), { create: false }), /No such file/);
    await web3.write(`${DIR}/sub/new.txt`, Buffer.from('new'));
    assert.equal(inWeb3('cat', `${DIR}/sub/new.txt`), 'new');
    await web3.createDirectory(`${DIR}/made`);
    assert.equal(inWeb3('stat', '-c', '%F', `${DIR}/made`).trim(), 'directory');
    await assert.rejects(web3.createDirectory(`${DIR}/made`), /already exists/);
    await web3.rename(`${DIR}/sub/new.txt`, `${DIR}/made/moved.txt`);
    assert.equal(inWeb3('cat', `${DIR}/made/moved.txt`), 'new');
    await assert.rejects(web3.rename(`${DIR}/with space`, `${DIR}/made/moved.txt`), /already exists/);
    await web3.rename(`${DIR}/with space`, `${DIR}/made/moved.txt`, { overwrite: true });
    assert.equal(inWeb3('cat', `${DIR}/made/moved.txt`), 'x');
    await assert.rejects(web3.delete(`${DIR}/made`), /rmdir failed/);
    await web3.delete(`${DIR}/made`, { recursive: true });
    await web3.delete(`${DIR}/new\nline`);
    assert.deepEqual(inWeb3('ls', '-1', DIR).split('\n').filter(Boolean).sort(), ['a.txt', 'abs-link', 'link', 'sub']);
  });

  it('a container with no shell, never started: read, write, list and mkdir by the archive API; delete says why not', async () => {
    assert.equal((await noShell.read('/hello.txt')).toString(), 'hello from a container with no shell\n');
    const entries = await noShell.list('/');
    assert.equal(noShell.lastListingRoute, 'archive');
    assert.deepEqual(entries.map((e) => e.name).sort().filter((n) => ['data', 'hello.txt'].includes(n)), ['data', 'hello.txt']);
    assert.deepEqual((await noShell.list('/data')).map((e) => [e.name, e.kind, e.permissions]), [['one', 'file', 0o600]]);
    await noShell.write('/data/two', Buffer.from('2'));
    await noShell.createDirectory('/data/dir');
    assert.deepEqual((await noShell.list('/data')).map((e) => e.name).sort(), ['dir', 'one', 'two']);
    // Witness: docker cp through the exec chain, out of the stopped container.
    const out = dockerAt(l3chain(), ['cp', 'dl-files-noshell:/data/two', '-']);
    assert.match(out, /two/);
    await assert.rejects(noShell.delete('/data/two'), (e: Error) => e instanceof ToolMissingError && /not running/.test(e.message));
    await assert.rejects(noShell.rename('/data/two', '/data/three'), ToolMissingError);
  });

  it('a running container without rm: delete names the missing tool', async () => {
    // Exec of a program the container lacks: the same path as a container with no rm at all.
    await assert.rejects(execBounded(l3, theBed().web3.id, ['dl-files-no-such-tool']), (e: Error) => e instanceof ToolMissingError && /has no dl-files-no-such-tool/.test(e.message));
  });

  it('a read-only root file system is reported read-only, and writes are refused before sending', async () => {
    const info = await readonly.stat('/etc/hostname');
    assert.equal(info.readonly, true);
    // /etc/hostname is a writable bind mount made by Docker; the root itself is not.
    assert.equal((await readonly.stat('/bin')).readonly, true);
    await assert.rejects(readonly.write('/bin/dl-files', Buffer.from('x')), (e: Error & { kind: string }) => e.kind === 'permission');
  });

  it('docker-levels cp, both directions and with -, at depth 3', () => {
    const p = [...l3chain(), theBed().web3.name].join('/');
    fs.writeFileSync(path.join(local, 'up.txt'), 'uploaded\n');
    let r = cli(['cp', path.join(local, 'up.txt'), `${p}:${DIR}/sub/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(inWeb3('cat', `${DIR}/sub/up.txt`), 'uploaded\n');
    r = cli(['cp', path.join(local, 'up.txt'), `${p}:${DIR}/renamed.txt`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(inWeb3('cat', `${DIR}/renamed.txt`), 'uploaded\n');
    r = cli(['cp', `${p}:${DIR}`, path.join(local, 'copy')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(local, 'copy', 'sub', 'up.txt'), 'utf8'), 'uploaded\n');
    assert.equal(fs.readlinkSync(path.join(local, 'copy', 'link')), 'a.txt');
    // The absolute link is left out and named: it would point outside the destination.
    assert.ok(!fs.existsSync(path.join(local, 'copy', 'abs-link')));
    assert.match(r.stderr, /left out the symlink dl-files-test\/abs-link/);
    const tarOut = execFileSync('bash', ['-c', `node ${path.join(REPO, 'out', 'cli.js')} cp ${p}:/etc/hostname - | tar -xO`], { encoding: 'utf8' });
    assert.equal(tarOut, inWeb3('cat', '/etc/hostname'));
    execFileSync('bash', ['-c', `cd ${local} && tar -c up.txt | node ${path.join(REPO, 'out', 'cli.js')} cp - ${p}:${DIR}/sub/..`]);
    assert.equal(inWeb3('cat', `${DIR}/up.txt`), 'uploaded\n');
    r = cli(['cp', `${p}:${DIR}/missing`, local]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No such file or directory: \/tmp\/dl-files-test\/missing/);
  });
});
