/**
 * `docker-levels cp LEVELPATH:SRC LEVELPATH:DEST` between two containers of the real bed at
 * different depths (web3 at depth 3, web1 at depth 1), checked with docker exec at each level;
 * a 160 MB file crosses with the CLI's peak memory far under its size (streamed, not buffered).
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { bedChain, dockerAt, REPO, theBed } from './testBed';

const CLI = path.join(REPO, 'out', 'cli.js');
const BIG_MB = 160;

interface CliRun { code: number | null; stderr: string; maxRssMb: number }

/** The CLI in a child process that reports its peak memory as it exits. */
function runCli(args: string[]): Promise<CliRun> {
  const boot = `process.on('exit',()=>process.stderr.write('\\nmaxrss-kb='+process.resourceUsage().maxRSS+'\\n'));`
    + `process.argv.splice(1,0,${JSON.stringify(CLI)});require(${JSON.stringify(CLI)});`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', boot, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /maxrss-kb=(\d+)/.exec(stderr);
      resolve({ code, stderr: stderr.replace(/\nmaxrss-kb=\d+\n/, ''), maxRssMb: rss ? Number(rss[1]) / 1024 : NaN });
    });
  });
}

describe('cp between two containers at different depths (integration)', function () {
  this.timeout(300_000);
  const SRC = '/tmp/dl-files2-cp-src';
  const DEST = '/tmp/dl-files2-cp-dest';
  const web3 = () => [...bedChain(3), theBed().web3.name].join('/');
  const web1 = () => [...bedChain(1), theBed().web1.name].join('/');
  const in3 = (...cmd: string[]) => dockerAt(bedChain(3), ['exec', theBed().web3.name, ...cmd]);
  const in1 = (...cmd: string[]) => dockerAt(bedChain(1), ['exec', theBed().web1.name, ...cmd]);

  before(() => {
    in3('sh', '-c', `rm -rf ${SRC} && mkdir -p ${SRC}/sub && printf 'one\\n' > ${SRC}/a.txt && printf 'two\\n' > ${SRC}/sub/b.txt`
      + ` && ln -s a.txt ${SRC}/link && ln -s /etc ${SRC}/abs-link && chmod 640 ${SRC}/a.txt`);
    in1('rm', '-rf', DEST, `${DEST}-file`, '/tmp/dl-files2-cp-big');
  });
  after(() => {
    try { in3('rm', '-rf', SRC, '/tmp/dl-files2-cp-back'); } finally { in1('rm', '-rf', DEST, `${DEST}-file`, '/tmp/dl-files2-cp-big'); }
  });

  it('a directory from depth 3 to a new name at depth 1: the same tree, modes and links; the outside link left out', async () => {
    const r = await runCli(['cp', `${web3()}:${SRC}`, `${web1()}:${DEST}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /left out the symlink dl-files2-cp-src\/abs-link/);
    const list = (inside: (...c: string[]) => string, dir: string) => inside('sh', '-c', `cd ${dir} && find . | sort`);
    assert.deepEqual(list(in1, DEST).split('\n'), list(in3, SRC).split('\n').filter((l) => l !== './abs-link'));
    assert.equal(in1('cat', `${DEST}/sub/b.txt`), 'two\n');
    assert.equal(in1('readlink', `${DEST}/link`).trim(), 'a.txt');
    assert.equal(in1('stat', '-c', '%a', `${DEST}/a.txt`).trim(), '640');
  });

  it('a file into an existing directory, one over a new file name, and SRC/. as contents, back from depth 1 to depth 3', async () => {
    let r = await runCli(['cp', `${web1()}:${DEST}/a.txt`, `${web1()}:${DEST}-file`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(in1('cat', `${DEST}-file`), 'one\n');
    in3('mkdir', '-p', '/tmp/dl-files2-cp-back');
    r = await runCli(['cp', `${web1()}:${DEST}-file`, `${web3()}:/tmp/dl-files2-cp-back`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(in3('cat', '/tmp/dl-files2-cp-back/dl-files2-cp-dest-file'), 'one\n');
    r = await runCli(['cp', `${web1()}:${DEST}/sub/.`, `${web3()}:/tmp/dl-files2-cp-back`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(in3('cat', '/tmp/dl-files2-cp-back/b.txt'), 'two\n');
    r = await runCli(['cp', `${web1()}:${DEST}`, `${web3()}:/tmp/no-such-dir/`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not exist/);
  });

  it(`a ${BIG_MB} MB file crosses streamed: the CLI's peak memory stays far under its size`, async () => {
    in3('sh', '-c', `head -c ${BIG_MB * 1024 * 1024} /dev/zero > ${SRC}/big.bin`);
    const r = await runCli(['cp', `${web3()}:${SRC}/big.bin`, `${web1()}:/tmp/dl-files2-cp-big`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(in1('stat', '-c', '%s', '/tmp/dl-files2-cp-big').trim(), String(BIG_MB * 1024 * 1024));
    assert.equal(in1('sh', '-c', 'tr -d "\\000" < /tmp/dl-files2-cp-big | wc -c').trim(), '0');
    assert.ok(r.maxRssMb < BIG_MB * 0.75, `peak RSS ${r.maxRssMb.toFixed(0)} MB for a ${BIG_MB} MB file`);
  });
});
