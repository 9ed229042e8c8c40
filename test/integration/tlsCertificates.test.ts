// TLS client certificates read from real dind levels: by one exec (the default), by the archive
// API where the container has no shell, kept in memory when a level is opened again, and a
// clear error on the one level whose certificates are garbage or oversized while its TLS
// siblings open. Four TLS levels of its own on the host daemon (named dl-certs-PID-*, removed at
// the end); the junk is written for real into their /certs/client. Requests are counted from
// Node's diagnostics channel, never timed.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  childLevelId, connectNestedLevel, DaemonSnapshot, DockerLevelsError, Levels, readClientCertsFromContainer, silentLogger, snapshotDaemon,
  startLevel, TlsMaterial,
} from '../../src/core';
import { MAX_CLIENT_CERTS_EXEC_BYTES } from '../../src/core/untrusted/limits';
import { recordRequests, RecordedRequest } from '../bench/requestLog';
import { newLevels, theBed } from './testBed';

const IMAGE = 'docker-levels-test/dind:latest';
const PREFIX = `dl-certs-${process.pid}-`;
const KINDS = ['good', 'nosh', 'garbage', 'oversize'] as const;
type Kind = typeof KINDS[number];

const docker = (args: string[]) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

/** Certificate reads per container: execs created in it and archive reads of it. */
function certificateReads(requests: readonly RecordedRequest[], id: string): { execs: number; archives: number } {
  const of = requests.filter((r) => r.ids.includes(id));
  return {
    execs: of.filter((r) => r.kind === 'POST /containers/{id}/exec').length,
    archives: of.filter((r) => r.kind === 'GET /containers/{id}/archive').length,
  };
}

function levelOf(tree: DaemonSnapshot, name: string): DaemonSnapshot {
  const c = tree.containers.find((x) => x.name === name);
  assert.ok(c?.level, `${name} is a level in the walk`);
  return c.level;
}

describe('TLS client certificates of real levels (integration)', function () {
  this.timeout(300_000);
  let owner: Levels;
  const ids = {} as Record<Kind, string>;
  const name = (k: Kind) => `${PREFIX}${k}`;

  const cleanup = () => {
    const left = docker(['ps', '-aq', '--filter', `name=${PREFIX}`]).split('\n').filter(Boolean);
    if (left.length) spawnSync('docker', ['rm', '-fv', ...left], { encoding: 'utf8' });
  };

  before(async () => {
    cleanup();
    owner = newLevels();
    const root = owner.roots()[0];
    for (const k of KINDS) {
      const s = await startLevel(owner, root, { image: IMAGE, name: name(k), mode: 'tls', pull: false, readyTimeoutMs: 120_000 });
      assert.equal(s.mode, 'tls');
      ids[k] = s.containerId;
      owner.close(s.level.id);
    }
    // No shell left (the entrypoint has already exec'd dockerd): an exec of sh cannot start.
    docker(['exec', name('nosh'), 'rm', '/usr/bin/sh']);
    assert.notEqual(spawnSync('docker', ['exec', name('nosh'), 'sh', '-c', 'true']).status, 0, 'sh is gone from the nosh level');
    docker(['exec', name('garbage'), 'sh', '-c', 'echo "not a key" > /certs/client/key.pem']);
    docker(['exec', name('oversize'), 'sh', '-c', `head -c ${MAX_CLIENT_CERTS_EXEC_BYTES + 4096} /dev/zero | tr '\\0' A > /certs/client/ca.pem`]);
  });

  after(() => {
    owner?.dispose();
    cleanup();
    assert.deepEqual(docker(['ps', '-aq', '--filter', `name=${PREFIX}`]).trim(), '', 'nothing of this suite left');
  });

  it('a walk reaches the TLS levels, by one exec each (the archive where there is no shell), and errs on the broken two only', async () => {
    const levels = newLevels({ transportOrder: ['tls'] });
    const rec = recordRequests();
    try {
      const tree = await snapshotDaemon(levels, levels.roots()[0], { depth: 1 });
      const requests = rec.stop();
      for (const k of ['good', 'nosh'] as const) {
        const level = levelOf(tree, name(k));
        assert.equal(level.error, null, `${k}: ${level.error}`);
        assert.match(level.transport, /^tls tls:\/\/127\.0\.0\.1:\d+$/, k);
        assert.equal(level.name, ids[k].slice(0, 12), `${k}: its own daemon answered`);
      }
      assert.deepEqual(certificateReads(requests, ids.good), { execs: 1, archives: 0 }, 'good: one exec, no archive');
      assert.deepEqual(certificateReads(requests, ids.nosh), { execs: 1, archives: 1 }, 'nosh: the exec failed, the archive read it');
      const bed = levelOf(tree, theBed().tls.name);
      assert.equal(bed.error, null, `the bed's TLS level: ${bed.error}`);

      const garbage = levelOf(tree, name('garbage'));
      assert.equal(garbage.error, '/certs/client/key.pem in the container is not a PEM private key (no PEM block). '
        + 'A docker:dind level writes its client certificates itself; this level may not be what it claims, or its /certs/client was changed.');
      assert.deepEqual(certificateReads(requests, ids.garbage), { execs: 1, archives: 0 }, 'garbage: not read twice');
      const oversize = levelOf(tree, name('oversize'));
      assert.match(oversize.error ?? '', /^The certificates printed by the container passed 256 KB; stopped reading\. A real Docker daemon never sends this much/);
      assert.deepEqual(certificateReads(requests, ids.oversize), { execs: 1, archives: 0 }, 'oversize: not read again by the archive');
      assert.equal(levels.openLevels().length, tree.containers.filter((c) => c.level && c.level.error === null).length,
        'every level without an error is open, the broken ones are not');
    } finally {
      rec.stop();
      levels.dispose();
    }
  });

  it('with the default order, the level with garbage certificates is reached by the exec tunnel instead', async () => {
    const levels = newLevels();
    try {
      const level = await levels.openLevel(levels.roots()[0], ids.garbage);
      assert.equal(level.transport.kind, 'tunnel');
      assert.equal((await level.info()).Name, ids.garbage.slice(0, 12));
    } finally {
      levels.dispose();
    }
  });

  it('a level opened again reads no certificates: they are kept in memory for the life of the Levels', async () => {
    const levels = newLevels({ transportOrder: ['tls'] });
    const rec = recordRequests();
    try {
      const root = levels.roots()[0];
      const first = await levels.openLevel(root, ids.good);
      levels.close(first.id);
      const again = await levels.openLevel(root, ids.good);
      assert.notEqual(again, first);
      assert.equal(again.transport.kind, 'tls');
      assert.equal((await again.info()).Name, ids.good.slice(0, 12));
      assert.deepEqual(certificateReads(rec.stop(), ids.good), { execs: 1, archives: 0 }, 'read once for two openings');
    } finally {
      rec.stop();
      levels.dispose();
    }
  });

  it('kept certificates that no longer fit the level are read again, once', async () => {
    const levels = newLevels();
    const root = levels.roots()[0];
    const certificates = new Map<string, TlsMaterial>();
    const rec = recordRequests();
    try {
      // The nosh level's own certificates, kept under the good level's id: another CA, so its handshake fails.
      const nosh = await connectNestedLevel(root, ids.nosh, { order: ['tls'], timeoutMs: 15_000, log: silentLogger, certificates });
      nosh.level.dispose();
      const [[, wrong]] = [...certificates];
      certificates.clear();
      certificates.set(childLevelId(root.id, ids.good), wrong);
      const good = await connectNestedLevel(root, ids.good, { order: ['tls'], timeoutMs: 15_000, log: silentLogger, certificates });
      try {
        assert.equal(good.info.Name, ids.good.slice(0, 12));
        assert.deepEqual(certificateReads(rec.stop(), ids.good), { execs: 1, archives: 0 }, 'read again once');
        assert.notDeepEqual(certificates.get(childLevelId(root.id, ids.good))?.ca, wrong.ca, 'the fresh certificates are kept');
      } finally {
        good.level.dispose();
      }
    } finally {
      rec.stop();
      levels.dispose();
    }
  });

  it('a read of the broken level is an error of its kind, not a crash, by either route', async () => {
    const root = owner.roots()[0];
    for (const route of ['exec', 'archive', 'auto'] as const) {
      await assert.rejects(readClientCertsFromContainer(root.docker, ids.garbage, 15_000, undefined, undefined, route),
        (e: unknown) => e instanceof DockerLevelsError && e.kind === 'tls' && /key\.pem in the container is not a PEM private key/.test(e.message), route);
    }
    await assert.rejects(readClientCertsFromContainer(root.docker, ids.nosh, 15_000, undefined, undefined, 'exec'),
      (e: unknown) => !(e instanceof DockerLevelsError) || e.kind !== 'tls', 'exec alone cannot read it without a shell');
  });
});
