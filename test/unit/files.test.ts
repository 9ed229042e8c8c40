import * as assert from 'node:assert/strict';
import {
  formatFileAuthority, formatFileUriPath, normalizeContainerPath, parseExecListing, parseFileLocation, parsePathStatHeader,
} from '../../src/core';
import { splitCpArgument } from '../../src/cli/commands/cpCommand';

const header = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64');

describe('files: paths, URIs and daemon answers (unit)', () => {
  it('normalizes container paths; ".." stops at the root', () => {
    assert.equal(normalizeContainerPath(''), '/');
    assert.equal(normalizeContainerPath('etc//./hostname/'), '/etc/hostname');
    assert.equal(normalizeContainerPath('/../../etc/../tmp'), '/tmp');
    assert.throws(() => normalizeContainerPath('/a\0b'), /NUL/);
  });

  it('a file location round-trips through authority and path, the chain in the authority', () => {
    const authority = formatFileAuthority('local', ['dl-bed-l1', 'dl-bed-l2', 'dl-bed-l3']);
    assert.equal(authority, 'local+dl-bed-l1+dl-bed-l2+dl-bed-l3');
    const path = formatFileUriPath('dl-bed-web3', '/etc/hostname');
    assert.equal(path, '/dl-bed-web3/etc/hostname');
    assert.deepEqual(parseFileLocation(authority, path), { rootId: 'local', chain: ['dl-bed-l1', 'dl-bed-l2', 'dl-bed-l3'], container: 'dl-bed-web3', path: '/etc/hostname' });
    // A root id with "+" or "/" in it survives: each part is encoded.
    const odd = formatFileAuthority('settings-a+b/c', []);
    assert.deepEqual(parseFileLocation(odd, '/web/').chain, []);
    assert.equal(parseFileLocation(odd, '/web/').rootId, 'settings-a+b/c');
    assert.equal(parseFileLocation(odd, '/web').path, '/');
    assert.throws(() => parseFileLocation('local++l2', '/c/x'), /not a level chain/);
    assert.throws(() => parseFileLocation('local', '/'), /names no container/);
  });

  it('parses the path-stat header and refuses what is not its shape', () => {
    const dir = parsePathStatHeader(header({ name: 'etc', size: 4096, mode: 2 ** 31 + 0o755, mtime: '2026-12-01T22:49:23Z', linkTarget: '' }), 'x');
    assert.equal(dir.kind, 'directory');
    assert.equal(dir.permissions, 0o755);
    assert.equal(dir.mtimeMs, Date.parse('2026-12-01T22:49:23Z'));
    const link = parsePathStatHeader(header({ name: 'sh', size: 16, mode: 134218239, mtime: '2026-12-01T22:49:23Z', linkTarget: '/usr/bin/busybox' }), 'x');
    assert.equal(link.kind, 'symlink');
    assert.equal(link.linkTarget, '/usr/bin/busybox');
    assert.equal(parsePathStatHeader(header({ name: 'f', size: 1, mode: 0o644, mtime: '2026-12-01T22:49:23Z' }), 'x').kind, 'file');
    for (const bad of [undefined, '', 'not base64 json', header([]), header({ name: 1, size: 1, mode: 1, mtime: '2026-01-01T00:00:00Z' }),
      header({ name: 'f', size: -1, mode: 1, mtime: '2026-01-01T00:00:00Z' }), header({ name: 'f', size: 1, mode: 1, mtime: 'never' }),
      'A'.repeat(70_000)]) {
      assert.throws(() => parsePathStatHeader(bad, 'level x'), /not what the Engine API sends/);
    }
  });

  it('parses an exec listing whose names hold spaces and newlines, by the per-call separator', () => {
    const n = 'dl-0123';
    const out = `81a4 5 1700000000 /d/a b\n${n}\n81a4 0 1700000001 /d/x\ny\n${n}\na1ff 1 1700000002 /d/lnk\n${n}\n41ed 4096 1700000003 /d/sub\n${n}\n`
      + `${n}-links\n41ed /d/lnk\n${n}\n`;
    const entries = parseExecListing(out, '/d', n);
    assert.deepEqual(entries.map((e) => [e.name, e.kind, e.size]), [['a b', 'file', 5], ['x\ny', 'file', 0], ['lnk', 'symlink', 1], ['sub', 'directory', 4096]]);
    assert.equal(entries[2].targetKind, 'directory');
    assert.equal(entries[0].mtimeMs, 1700000000_000);
    assert.equal(entries[0].permissions, 0o644);
    // At the root, names are what follows "/".
    assert.deepEqual(parseExecListing(`41ed 1 1 /etc\n${n}\n${n}-links\n`, '/', n).map((e) => e.name), ['etc']);
  });

  it('tells container arguments of cp from local paths as docker cp does', () => {
    assert.deepEqual(splitCpArgument('l1/l2/web:/etc/hostname'), { container: 'l1/l2/web', path: '/etc/hostname' });
    assert.deepEqual(splitCpArgument('web:'), { container: 'web', path: '/' });
    assert.equal(splitCpArgument('/abs/with:colon'), undefined);
    assert.equal(splitCpArgument('./rel:colon'), undefined);
    assert.equal(splitCpArgument('plain.txt'), undefined);
    assert.equal(splitCpArgument(':x'), undefined);
  });
});
