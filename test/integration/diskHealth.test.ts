/**
 * Disk use, prune, orphaned level data, health and cost against the real bed. Levels of the
 * test's own (dl-disk-*) run inside dl-bed-l1, started with the docker CLI through `docker
 * exec` as a user would; every one is removed after, with its volumes.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  bridgeMtu, DaemonLevel, diskOfSubtree, DockerLevelsError, findOrphanedLevelData, LevelDiskEntry, Levels, nestedLevelStorageBytes,
  planPrune, PROBE_LABEL, readContainerLog, readLevelHealth, readStatsSample, removeOrphanedLevelVolumes, runPrune, snapshotDaemon,
  startLevel, StatsSampler, displayText,
} from '../../src/core';
import { cli, dockerAt, newLevels, openBedLevel, theBed } from './testBed';

const DIND = 'docker-levels-test/dind:latest';
const LEAF = 'docker-levels-test/leaf:latest';
// What --privileged amounts to where it is refused (ENVIRONMENT.md); works where it is not, too.
const DIND_FLAGS = ['--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE', '--security-opt', 'seccomp=unconfined',
  '--security-opt', 'apparmor=unconfined', '--security-opt', 'systempaths=unconfined', '--device-cgroup-rule', 'a *:* rwm'];

/** "215.1MB" → bytes, as the docker CLI writes sizes (decimal units, 4 significant digits). */
function parseSize(text: string): number {
  const m = /^([\d.]+)\s*(B|kB|MB|GB|TB)/.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  return Number(m[1]) * 1000 ** ['B', 'kB', 'MB', 'GB', 'TB'].indexOf(m[2]);
}

interface CliDf { count: number; bytes: number; reclaimable: number }
function systemDf(chain: string[]): Record<string, CliDf> {
  const rows = dockerAt(chain, ['system', 'df', '--format', '{{json .}}']).trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  return Object.fromEntries(rows.map((r) => [r.Type, { count: Number(r.TotalCount), bytes: parseSize(r.Size), reclaimable: parseSize(r.Reclaimable) }]));
}

/** Ours lies between two CLI reads taken before and after it, give or take the CLI's rounding. */
function assertBetween(ours: number, a: number, b: number, what: string): void {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const slack = hi * 0.0006 + 1;
  assert.ok(ours >= lo - slack && ours <= hi + slack, `${what}: ${ours} is not within the CLI's ${a} … ${b}`);
}

function waitUntil(check: () => boolean, what: string, ms = 90_000): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > until) return reject(new Error(`gave up waiting for ${what}`));
      setTimeout(tick, 300);
    };
    tick();
  });
}

const answers = (chain: string[]) => spawnSync('docker', [...chain.flatMap((c) => ['exec', c, 'docker']), 'version'], { timeout: 30_000 }).status === 0;

describe('Disk use, prune, orphaned level data, health and cost (integration)', function () {
  this.timeout(300_000);
  let levels: Levels;
  let l1: DaemonLevel;
  let L1: string[];
  const volumesToRemove: string[] = [];
  const idOf = async (name: string) => (await l1.listContainers()).find((c) => c.Names[0] === `/${name}`)!.Id;
  const openChild = async (name: string) => levels.openLevel(l1, await idOf(name));

  before(async () => {
    L1 = [theBed().l1.name];
    levels = newLevels();
    l1 = await openBedLevel(levels, 1);
    const run = (name: string, args: string[]) => dockerAt(L1, ['run', '-d', '--name', name, '--label', 'dl-disk=1', ...DIND_FLAGS, ...args]);
    run('dl-disk-vfs', [DIND, '--storage-driver', 'vfs']);
    run('dl-disk-mtu', [DIND, '--mtu', '1600']);
    run('dl-disk-low', [DIND, '--mtu', '1400']);
    // Its daemon fails at once and says why on stderr; the container stays up.
    run('dl-disk-broken', ['--entrypoint', 'sh', DIND, '-c', 'dockerd --storage-driver dl-disk-bogus; exec sleep 3600']);
    for (const name of ['dl-disk-vfs', 'dl-disk-mtu', 'dl-disk-low']) await waitUntil(() => answers([...L1, name]), `${name} to answer`);
  });

  after(async () => {
    levels?.dispose();
    const names = dockerAt(L1, ['ps', '-aq', '--filter', 'label=dl-disk=1']).split('\n').filter(Boolean);
    if (names.length) dockerAt(L1, ['rm', '-fv', ...names]);
    for (const v of volumesToRemove) spawnSync('docker', ['exec', L1[0], 'docker', 'volume', 'rm', v]);
    assert.deepEqual(dockerAt(L1, ['ps', '-aq', '--filter', 'label=dl-disk=1']).trim(), '');
    assert.deepEqual(dockerAt(L1, ['ps', '-aq', '--filter', `label=${PROBE_LABEL}`]).trim(), '');
  });

  it('df of every level agrees with `docker system df` run inside that level', async () => {
    const chains: Record<string, string[]> = {
      '': [], 'dl-bed-l1': L1, 'dl-bed-l1/dl-bed-l2': [...L1, 'dl-bed-l2'], 'dl-bed-l1/dl-bed-l2/dl-bed-l3': [...L1, 'dl-bed-l2', 'dl-bed-l3'],
      'dl-bed-l1/dl-disk-vfs': [...L1, 'dl-disk-vfs'],
    };
    const before = Object.fromEntries(Object.entries(chains).map(([p, c]) => [p, systemDf(c)]));
    const entries = await diskOfSubtree(levels, levels.roots()[0]);
    const after = Object.fromEntries(Object.entries(chains).map(([p, c]) => [p, systemDf(c)]));
    for (const path of Object.keys(chains)) {
      const e = entries.find((x) => x.path === path);
      assert.ok(e?.usage, `level "${path}" is in the walk and was read (${e?.error})`);
      const u = e.usage;
      const [b, a] = [before[path], after[path]];
      for (const [type, ours] of [['Images', u.images], ['Containers', u.containers], ['Local Volumes', u.volumes]] as const) {
        assert.equal(ours.count, a[type].count, `${path} ${type} count`);
        assertBetween(ours.bytes, b[type].bytes, a[type].bytes, `${path} ${type} bytes`);
        assertBetween(ours.reclaimableBytes, b[type].reclaimable, a[type].reclaimable, `${path} ${type} reclaimable`);
      }
      assert.equal(u.buildCache.bytes, a['Build Cache'].bytes, `${path} build cache`);
    }
    // The bed's dind levels are walked, and the broken one is reported, not summed.
    assert.ok(entries.some((e) => e.path === 'dl-bed-l1/dl-disk-broken' && e.usage === null && e.error));
  });

  it('subtreeBytes counts a nested level once: its storage in the parent is replaced by its own subtree', async () => {
    const entries = await diskOfSubtree(levels, l1);
    const at = (p: string): LevelDiskEntry => entries.find((e) => e.path === p)!;
    const l3 = at('dl-bed-l1/dl-bed-l2/dl-bed-l3');
    assert.equal(l3.subtreeBytes, l3.usage!.totalBytes, 'a level with nothing nested is its own subtree');
    const l2 = at('dl-bed-l1/dl-bed-l2');
    // The volume the CLI says is l3's /var/lib/docker is the one counted as its storage.
    const mounts = JSON.parse(dockerAt([...L1, 'dl-bed-l2'], ['inspect', '--format', '{{json .Mounts}}', 'dl-bed-l3'])) as { Name?: string; Destination: string }[];
    const rootVolume = mounts.find((m) => m.Destination === '/var/lib/docker')!.Name!;
    const l3Id = dockerAt([...L1, 'dl-bed-l2'], ['inspect', '--format', '{{.Id}}', 'dl-bed-l3']).trim();
    const vol = l2.usage!.raw.Volumes.find((v) => v.Name === rootVolume)!;
    const rw = l2.usage!.raw.Containers.find((c) => c.Id === l3Id)!.SizeRw ?? 0;
    assert.equal(nestedLevelStorageBytes(l2.usage!, l3Id), vol.UsageData!.Size + rw);
    assert.equal(l2.subtreeBytes, l2.usage!.totalBytes - (vol.UsageData!.Size + rw) + l3.subtreeBytes!);
    assert.equal(entries[0].path, 'dl-bed-l1');
    assert.ok(entries.every((e) => e.depth >= 1 && e.path.startsWith('dl-bed-l1')));
  });

  it('docker-levels df --json prints exactly the documented shape, for the level and every level below it', () => {
    const r = cli(['df', 'dl-bed-l1/dl-bed-l2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const { levels: out } = JSON.parse(r.stdout) as { levels: Record<string, unknown>[] };
    assert.deepEqual(out.map((l) => l.path), ['dl-bed-l1/dl-bed-l2', 'dl-bed-l1/dl-bed-l2/dl-bed-l3']);
    for (const l of out) {
      assert.deepEqual(Object.keys(l), ['path', 'depth', 'images', 'containers', 'volumes', 'buildCacheBytes', 'reclaimableBytes', 'subtreeBytes']);
      for (const k of ['images', 'containers', 'volumes']) assert.deepEqual(Object.keys(l[k] as object), ['count', 'bytes']);
    }
    const cliImages = systemDf([...L1, 'dl-bed-l2', 'dl-bed-l3']).Images;
    assert.equal((out[1].images as { count: number }).count, cliImages.count);
    const text = cli(['df', 'dl-bed-l1']);
    assert.equal(text.code, 1, 'the broken dind level below dl-bed-l1 makes df say so');
    assert.match(text.stdout, /dl-bed-l2/);
    assert.match(text.stderr, /dl-disk-broken/);
  });

  it('a level on vfs is flagged, with why it hurts and what to do; the bed\'s levels are not', async () => {
    const vfs = await openChild('dl-disk-vfs');
    const health = await readLevelHealth(vfs);
    assert.equal(health.storageDriver, 'vfs');
    assert.equal(health.warnings.length, 1);
    assert.match(health.warnings[0], /vfs.*copied.*volume/s);
    const bed = await readLevelHealth(l1);
    assert.equal(bed.storageDriver, dockerAt(L1, ['info', '--format', '{{.Driver}}']).trim());
    assert.equal(bed.cgroupVersion, dockerAt(L1, ['info', '--format', '{{.CgroupVersion}}']).trim());
    assert.deepEqual(bed.warnings, []);
  });

  it('a level whose bridge MTU is larger than its parent\'s is flagged; tree --json carries health', async () => {
    const level = await openChild('dl-disk-mtu');
    const health = await readLevelHealth(level);
    assert.equal(health.mtu, 1600);
    assert.equal(health.parentMtu, Number(dockerAt(L1, ['network', 'inspect', '--format', '{{index .Options "com.docker.network.driver.mtu"}}', 'bridge']).trim() || 1500));
    assert.equal(health.warnings.length, 1);
    assert.match(health.warnings[0], /MTU 1600 is larger than the level above \(1500\).*--mtu 1500/s);

    const r = cli(['tree', '--json']);
    type D = { path: string; health?: { storageDriver: string; mtu: number; parentMtu: number | null; cgroupVersion: string; warnings: string[] } | null; containers: { level: D | null }[] };
    const all: D[] = [];
    const walk = (d: D) => { all.push(d); for (const c of d.containers) if (c.level) walk(c.level); };
    for (const d of (JSON.parse(r.stdout) as { daemons: D[] }).daemons) walk(d);
    const mtu = all.find((d) => d.path === 'dl-bed-l1/dl-disk-mtu')!;
    assert.deepEqual(Object.keys(mtu.health!), ['storageDriver', 'mtu', 'parentMtu', 'cgroupVersion', 'warnings']);
    assert.equal(mtu.health!.mtu, 1600);
    assert.equal(mtu.health!.warnings.length, 1);
    assert.equal(all.find((d) => d.path === 'dl-bed-l1/dl-disk-vfs')!.health!.storageDriver, 'vfs');
    assert.equal(all.find((d) => d.path === '')!.health!.parentMtu, null);
  });

  it('a dind container whose daemon does not answer shows the end of its own log, as docker logs has it', async () => {
    const tree = await snapshotDaemon(levels, l1, { depth: 2, health: true });
    const broken = tree.containers.find((c) => c.name === 'dl-disk-broken')!.level!;
    assert.ok(broken.error);
    const expected = dockerAt(L1, ['logs', '--tail', '8', 'dl-disk-broken']).split('\n').filter(Boolean);
    const expectedErr = spawnSync('docker', ['exec', L1[0], 'docker', 'logs', '--tail', '8', 'dl-disk-broken'], { encoding: 'utf8' }).stderr.split('\n').filter(Boolean);
    const cliLines = [...expected, ...expectedErr].map((l) => displayText(l, 400));
    assert.ok(broken.daemonLog!.length > 0);
    assert.deepEqual([...broken.daemonLog!].sort(), cliLines.sort());
    assert.ok(broken.daemonLog!.some((l) => /dl-disk-bogus|graphdriver|driver/i.test(l)), broken.daemonLog!.join('\n'));
    const full = await readContainerLog(l1, await idOf('dl-disk-broken'));
    assert.equal(full.truncated, false);
    assert.ok(full.lines.length >= broken.daemonLog!.length);
  });

  it('Start DinD in a level whose bridge MTU is below 1500 gives the new level that MTU', async () => {
    const low = await openChild('dl-disk-low');
    assert.equal(await bridgeMtu(low), 1400);
    const child = await startLevel(levels, low, { image: DIND, name: 'dl-disk-child', mode: 'tunnel', pull: false });
    assert.equal(await bridgeMtu(child.level), 1400);
    const cmd = JSON.parse(dockerAt([...L1, 'dl-disk-low'], ['inspect', '--format', '{{json .Config.Cmd}}', 'dl-disk-child'])) as string[];
    assert.deepEqual(cmd.slice(cmd.indexOf('--mtu'), cmd.indexOf('--mtu') + 2), ['--mtu', '1400']);
    assert.deepEqual((await readLevelHealth(child.level)).warnings, []);
  });

  it('finds the /var/lib/docker volume a removed dind container left, with its size, and removes it', async () => {
    dockerAt(L1, ['run', '-d', '--name', 'dl-disk-orphan', '--label', 'dl-disk=1', ...DIND_FLAGS, DIND]);
    await waitUntil(() => answers([...L1, 'dl-disk-orphan']), 'dl-disk-orphan to answer');
    const mounts = JSON.parse(dockerAt(L1, ['inspect', '--format', '{{json .Mounts}}', 'dl-disk-orphan'])) as { Name: string; Destination: string }[];
    const orphan = mounts.find((m) => m.Destination === '/var/lib/docker')!.Name;
    // A plain container's anonymous volume: unused too, but no docker root.
    dockerAt(L1, ['create', '--name', 'dl-disk-plain', '--label', 'dl-disk=1', '-v', '/data', LEAF]);
    const plain = (JSON.parse(dockerAt(L1, ['inspect', '--format', '{{json .Mounts}}', 'dl-disk-plain'])) as { Name: string }[])[0].Name;
    volumesToRemove.push(orphan, plain);
    dockerAt(L1, ['rm', '-f', 'dl-disk-orphan', 'dl-disk-plain']);

    const found = await findOrphanedLevelData(l1);
    const mine = found.find((o) => o.name === orphan);
    assert.ok(mine, `the orphan ${orphan} is found among ${found.map((o) => o.name).join(', ')}`);
    assert.ok(mine.found.includes('image') && mine.found.includes('containers') && mine.found.includes('overlay2'), mine.found.join(','));
    assert.ok(!found.some((o) => o.name === plain), 'an empty anonymous volume is not level data');
    const cliSize = JSON.parse(dockerAt(L1, ['system', 'df', '-v', '--format', '{{json .Volumes}}'])) as { Name: string; Size: string }[];
    const size = parseSize(cliSize.find((v) => v.Name === orphan)!.Size);
    assert.ok(Math.abs(mine.bytes - size) <= size * 0.0006 + 1, `${mine.bytes} vs the CLI's ${size}`);
    assert.equal(dockerAt(L1, ['ps', '-aq', '--filter', `label=${PROBE_LABEL}`]).trim(), '', 'the probe container is gone');

    const result = await removeOrphanedLevelVolumes(l1, [orphan]);
    assert.deepEqual(result, { removed: [orphan], failed: [] });
    const left = dockerAt(L1, ['volume', 'ls', '-q']).split('\n');
    assert.ok(!left.includes(orphan));
    assert.ok(left.includes(plain), 'only what was asked for is removed');
  });

  it('prune shows what it will remove, removes exactly that (not what came after), asks first, and cancels', async () => {
    const inner = [...L1, 'dl-disk-mtu'];
    const path = 'dl-bed-l1/dl-disk-mtu';
    const load = spawnSync('bash', ['-c', `docker exec ${L1[0]} docker save ${LEAF} | docker exec -i ${L1[0]} docker exec -i dl-disk-mtu docker load`], { encoding: 'utf8' });
    assert.equal(load.status, 0, load.stderr);
    dockerAt(inner, ['run', '-d', '--name', 'dl-disk-running', '-v', 'dl-disk-used:/data', LEAF]);
    dockerAt(inner, ['create', '--name', 'dl-disk-stopped', LEAF]);
    dockerAt(inner, ['volume', 'create', 'dl-disk-unused']);
    const tar = spawnSync('bash', ['-c', 'd=$(mktemp -d) && head -c 20000 /dev/urandom > "$d/f" && tar -C "$d" -c . && rm -rf "$d"']).stdout;
    dockerAt(inner, ['import', '-', 'dl-disk-spare:1'], tar);

    const level = await openChild('dl-disk-mtu');
    const plan = await planPrune(level);
    const names = (kind: string) => plan.items.filter((i) => i.kind === kind).map((i) => i.label).sort();
    assert.deepEqual(names('container'), ['dl-disk-stopped']);
    assert.deepEqual(names('image'), ['dl-disk-spare:1']);
    assert.deepEqual(names('volume'), ['dl-disk-unused']);
    assert.deepEqual(plan.counts, { container: 1, image: 1, volume: 1, buildCache: 0 });
    const spareBytes = Number(dockerAt(inner, ['image', 'inspect', '--format', '{{.Size}}', 'dl-disk-spare:1']).trim());
    assert.equal(plan.items.find((i) => i.kind === 'image')!.bytes, spareBytes);
    assert.ok(spareBytes >= 20000);

    // No terminal, no --yes: the plan is shown, nothing is removed.
    const preview = cli(['prune', path]);
    assert.equal(preview.code, 2, preview.stderr);
    for (const n of ['dl-disk-stopped', 'dl-disk-spare:1', 'dl-disk-unused']) assert.ok(preview.stdout.includes(n), preview.stdout);
    assert.match(preview.stdout, /1 containers, 1 images, 1 volumes, 0 build cache records/);
    assert.match(preview.stderr, /nothing removed/);
    assert.ok(dockerAt(inner, ['ps', '-a', '--format', '{{.Names}}']).includes('dl-disk-stopped'));

    await assert.rejects(runPrune(level, plan, { signal: AbortSignal.abort() }), (e: DockerLevelsError) => e.kind === 'cancelled');
    assert.ok(dockerAt(inner, ['volume', 'ls', '-q']).includes('dl-disk-unused'), 'cancelled before the first item');

    dockerAt(inner, ['volume', 'create', 'dl-disk-late']);
    const progress: number[] = [];
    const result = await runPrune(level, plan, { onProgress: (done) => progress.push(done) });
    assert.deepEqual(result.failed, []);
    assert.equal(result.removed.length, 3);
    assert.equal(result.bytes, plan.bytes);
    assert.deepEqual(progress, [0, 1, 2, 3]);
    assert.deepEqual(dockerAt(inner, ['ps', '-a', '--format', '{{.Names}}']).trim().split('\n'), ['dl-disk-running']);
    assert.deepEqual(dockerAt(inner, ['volume', 'ls', '-q']).trim().split('\n').sort(), ['dl-disk-late', 'dl-disk-used']);
    assert.deepEqual(dockerAt(inner, ['images', '--format', '{{.Repository}}:{{.Tag}}']).trim().split('\n'), [LEAF]);

    const yes = cli(['prune', path, '--yes']);
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /Removed 1 of 1 items/);
    assert.deepEqual(dockerAt(inner, ['volume', 'ls', '-q']).trim().split('\n'), ['dl-disk-used']);
  });

  it('reads live CPU and memory once per interval per watched container, and nothing once unwatched', async () => {
    const list = await l1.listContainers();
    const l2 = list.find((c) => c.Names[0] === `/${theBed().l2.name}`)!;
    const web1 = list.find((c) => c.Names[0] === `/${theBed().web1.name}`)!;
    const one = await readStatsSample(l1, web1.Id);
    assert.ok(one.memoryBytes > 0);
    const updates = new Map<string, { cpuPercent: number | null }[]>();
    const sampler = new StatsSampler(400, (key, cost) => updates.set(key, [...(updates.get(key) ?? []), cost]));
    try {
      sampler.setWatched([{ daemon: l1, containerId: l2.Id }, { daemon: l1, containerId: web1.Id }]);
      await waitUntil(() => [...updates.values()].filter((u) => u.length >= 2).length === 2, 'two readings of each', 30_000);
      for (const u of updates.values()) {
        assert.equal(u[0].cpuPercent, null, 'the first reading has no CPU figure');
        assert.equal(typeof u[1].cpuPercent, 'number');
      }
      // One request per reading: none is repeated or wasted.
      sampler.setWatched([]);
      const made = sampler.requests;
      // The window is the thing under test: three intervals (400 ms) in which a reading would be counted.
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal(sampler.requests, made, 'nothing is read once nothing is watched');
      const got = [...updates.values()].reduce((n, u) => n + u.length, 0);
      assert.ok(made - got <= 2, `${made} requests for ${got} readings`);
    } finally {
      sampler.dispose();
    }
  });
});
