import * as assert from 'node:assert/strict';
import { DaemonLevel, Levels, openExecSession, runInContainer, traceLineage } from '../../src/core';
import { bedChain, cli, newLevels, openBedLevel, theBed } from './testBed';

describe('exec sessions and lineage at depth 3 (integration)', () => {
  let levels: Levels;
  let l3: DaemonLevel;
  before(async () => {
    levels = newLevels();
    l3 = await openBedLevel(levels, 3);
  });
  after(() => levels.dispose());

  it('hostname inside a depth-3 container equals its short ID one level up', async () => {
    const r = await runInContainer(l3, theBed().web3.id, ['hostname']);
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout.trim(), theBed().web3.id.slice(0, 12));
  });

  it('passes exit codes, stdin and stderr through', async () => {
    const r = await runInContainer(l3, theBed().web3.id, ['sh', '-c', 'read line; echo "got $line"; echo oops >&2; exit 42'], undefined, 'hello\n');
    assert.equal(r.exitCode, 42);
    assert.equal(r.stdout, 'got hello\n');
    assert.equal(r.stderr, 'oops\n');
  });

  it('runs a TTY session with resize', async () => {
    const session = await openExecSession(l3, theBed().web3.id, { cmd: ['sh'], tty: true, stdin: true, cols: 100, rows: 30 });
    try {
      let out = '';
      session.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      await session.resize(123, 45);
      session.stdin.write('stty size; exit 3\n');
      const code = await session.exitCode;
      assert.equal(code, 3);
      assert.match(out, /45 123/);
    } finally {
      session.dispose();
    }
  });

  it('traces the lineage level by level and proves each match live', async () => {
    const lineage = await traceLineage(l3, theBed().web3.id);
    assert.equal(lineage.levels.length, 4);
    const ids = [theBed().l1.id, theBed().l2.id, theBed().l3.id, theBed().web3.id];
    lineage.levels.forEach((step, i) => {
      assert.equal(step.depth, i);
      assert.equal(step.containerId, ids[i]);
      assert.equal(step.shortId, ids[i].slice(0, 12));
      assert.equal(step.hostnameInside, ids[i].slice(0, 12));
      assert.equal(step.matches, true);
      // Each nested daemon is named after its container's short ID one level up.
      if (i > 0) assert.equal(step.daemonName, ids[i - 1].slice(0, 12));
    });
  });

  it('reports a --hostname override as a mismatch, with what was seen', async () => {
    const lineage = await traceLineage(l3, theBed().web3Renamed.id);
    const last = lineage.levels[3];
    assert.equal(last.hostnameInside, 'custom-host');
    assert.equal(last.matches, false);
    assert.equal(lineage.levels.slice(0, 3).every((s) => s.matches), true);
  });

  it('docker-levels lineage --json and exec work through the CLI', () => {
    const path = [...bedChain(3), theBed().web3.name].join('/');
    const r = cli(['lineage', path, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const parsed = JSON.parse(r.stdout) as { levels: { depth: number; shortId: string; hostnameInside: string; matches: boolean; daemonName: string; containerId: string }[] };
    assert.equal(parsed.levels.length, 4);
    assert.ok(parsed.levels.every((l) => l.matches));
    assert.deepEqual(Object.keys(parsed.levels[0]).sort(), ['containerId', 'daemonName', 'depth', 'hostnameInside', 'matches', 'shortId']);
    const e = cli(['exec', path, '--', 'sh', '-c', 'hostname; exit 5']);
    assert.equal(e.code, 5);
    assert.equal(e.stdout.trim(), theBed().web3.id.slice(0, 12));
    const byId = cli(['exec', [...bedChain(3).map((_, i) => [theBed().l1, theBed().l2, theBed().l3][i].id.slice(0, 6)), theBed().web3.id.slice(0, 8)].join('/'), '--', 'hostname']);
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal(byId.stdout.trim(), theBed().web3.id.slice(0, 12));
  });
});
