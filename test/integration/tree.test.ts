import * as assert from 'node:assert/strict';
import { ContainerSnapshot, DaemonSnapshot, Levels, snapshotDaemon } from '../../src/core';
import { bedChain, cli, newLevels, psAt, theBed } from './testBed';

/** The snapshot of the daemon reached through the bed's dind containers `chain`. */
function daemonAt(root: DaemonSnapshot, chain: string[]): DaemonSnapshot {
  let d = root;
  for (const name of chain) {
    const c = d.containers.find((x: ContainerSnapshot) => x.name === name);
    assert.ok(c, `${name} is in the tree at depth ${d.depth}`);
    assert.ok(c.level, `${name} opened as a level`);
    assert.equal(c.level.error, null, `${name} level has no error`);
    d = c.level;
  }
  return d;
}

describe('the level tree against the real 3-level bed (integration)', () => {
  let levels: Levels;
  before(() => { levels = newLevels(); });
  after(() => levels.dispose());

  it('equals what the docker CLI lists at every level, 3 levels deep', async () => {
    const root = await snapshotDaemon(levels, levels.roots()[0]);
    for (let depth = 0; depth <= 3; depth++) {
      const chain = bedChain(depth);
      const daemon = daemonAt(root, chain);
      assert.equal(daemon.depth, depth);
      const expected = psAt(chain);
      const actual = new Map(daemon.containers.map((c) => [c.id, c.name]));
      assert.deepEqual(actual, expected, `containers at depth ${depth}`);
    }
    const l3 = daemonAt(root, bedChain(3));
    assert.deepEqual(l3.containers.map((c) => c.name).sort(), [theBed().web3.name, theBed().web3Renamed.name].sort());
  });

  it('records the transport of each level: published, then published on the parent IP, then the exec tunnel', async () => {
    const root = await snapshotDaemon(levels, levels.roots()[0]);
    assert.match(daemonAt(root, bedChain(1)).transport, /^published tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.match(daemonAt(root, bedChain(2)).transport, /^published tcp:\/\/172\.\d+\.\d+\.\d+:\d+$/);
    assert.match(daemonAt(root, bedChain(3)).transport, /^tunnel /);
    assert.match(daemonAt(root, [theBed().tls.name]).transport, /^tls tls:\/\/127\.0\.0\.1:\d+$/);
  });

  it('names each nested daemon after its container\'s short ID one level up', async () => {
    const root = await snapshotDaemon(levels, levels.roots()[0]);
    for (let depth = 1; depth <= 3; depth++) {
      const chain = bedChain(depth);
      const parent = daemonAt(root, chain.slice(0, -1));
      const container = parent.containers.find((c) => c.name === chain[chain.length - 1])!;
      assert.equal(daemonAt(root, chain).name, container.shortId);
    }
  });

  it('reports leaf containers as plain containers, without opening them', async () => {
    const root = await snapshotDaemon(levels, levels.roots()[0]);
    const leaf = root.containers.find((c) => c.name === theBed().leaf0.name)!;
    assert.equal(leaf.level, null);
  });

  it('docker-levels tree --json prints the same tree with the documented shape', () => {
    const r = cli(['tree', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const parsed = JSON.parse(r.stdout) as { daemons: DaemonSnapshot[] };
    assert.equal(parsed.daemons.length, 1);
    const d3 = daemonAt(parsed.daemons[0], bedChain(3));
    assert.deepEqual(new Map(d3.containers.map((c) => [c.id, c.name])), psAt(bedChain(3)));
    const c = d3.containers[0];
    assert.deepEqual(Object.keys(c).sort(), ['id', 'image', 'level', 'name', 'shortId', 'state']);
    assert.deepEqual(Object.keys(d3).sort(), ['containers', 'depth', 'error', 'health', 'name', 'path', 'serverVersion', 'transport']);
    assert.deepEqual(Object.keys(d3.health!), ['storageDriver', 'mtu', 'parentMtu', 'cgroupVersion', 'warnings']);
  });

  it('docker-levels tree prints the 3 nested levels as text', () => {
    const r = cli(['tree']);
    assert.equal(r.code, 0, r.stderr);
    for (const name of [...bedChain(3), theBed().web3.name]) assert.match(r.stdout, new RegExp(`${name}\\b`));
    assert.match(r.stdout, /⇒ level 3/);
  });

  it('--depth limits how deep the tree is opened', () => {
    const r = cli(['tree', '--json', '--depth', '1']);
    assert.equal(r.code, 0, r.stderr);
    const root = (JSON.parse(r.stdout) as { daemons: DaemonSnapshot[] }).daemons[0];
    const l1 = daemonAt(root, bedChain(1));
    assert.ok(l1.containers.every((c) => c.level === null));
  });
});
