import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { DaemonLevel, DockerLevelsError, LABELS, Levels, removeContainer, startLevel, StartedLevel } from '../../src/core';
import { cli, hostContainersWithLabel, newLevels } from './testBed';

const IMAGE = 'docker-levels-test/dind:latest';

/** Subnets of every network a daemon has. */
async function subnetsOf(level: DaemonLevel): Promise<string[]> {
  const nets = await level.docker.listNetworks();
  return nets.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '')).filter(Boolean);
}

describe('Start DinD at depths 1, 2 and 3 (integration)', () => {
  let levels: Levels;
  const started: StartedLevel[] = [];
  before(() => { levels = newLevels(); });
  after(async () => {
    // Removing the depth-1 level removes everything below it with its /var/lib/docker volume.
    if (started[0]) await removeContainer(levels, levels.roots()[0], started[0].containerId).catch(() => undefined);
    levels.dispose();
    assert.deepEqual(hostContainersWithLabel(LABELS.level).filter((n) => n.startsWith('dl-start-')), []);
  });

  it('starts a level on the host daemon, published on 127.0.0.1 only, with a volume and labels', async () => {
    const progress: string[] = [];
    const s = await startLevel(levels, levels.roots()[0], {
      image: IMAGE, name: 'dl-start-1', mode: 'plain', pull: false, onProgress: (m) => progress.push(m),
    });
    started.push(s);
    assert.equal(s.level.depth, 1);
    assert.equal(s.imageSource, 'present');
    assert.ok(progress.some((m) => /Waiting for the nested daemon/.test(m)));
    const inspect = JSON.parse(execFileSync('docker', ['inspect', s.containerId], { encoding: 'utf8' }))[0];
    assert.equal(inspect.Config.Labels[LABELS.parent], levels.roots()[0].id);
    assert.equal(inspect.Config.Labels[LABELS.level], 'true');
    assert.ok(inspect.Mounts.some((m: { Destination: string; Type: string }) => m.Destination === '/var/lib/docker' && m.Type === 'volume'));
    const bindings = Object.values(inspect.HostConfig.PortBindings ?? {}).flat() as { HostIp: string }[];
    assert.ok(bindings.length > 0);
    assert.ok(bindings.every((b) => b.HostIp === '127.0.0.1'), 'published on loopback only');
    assert.ok(inspect.HostConfig.Privileged || inspect.HostConfig.CapAdd?.includes('ALL'));
    assert.equal(s.privilege, inspect.HostConfig.Privileged ? 'privileged' : 'capabilities');
    const info = await s.level.info();
    assert.equal(info.Name, s.containerId.slice(0, 12));
  });

  it('starts a level at depth 2 whose daemon lacks the image: it is copied from the level above', async () => {
    const parent = started[0].level;
    assert.equal((await parent.docker.listImages()).length, 0, 'a fresh level has no images');
    const s = await startLevel(levels, parent, { image: IMAGE, name: 'dl-start-2', pull: false });
    started.push(s);
    assert.equal(s.level.depth, 2);
    assert.equal(s.imageSource, 'copied');
    // The bed's image supports TLS, so 'auto' picks it; with no route to publish on, the tunnel carries it.
    assert.equal(s.mode, 'tls');
    assert.equal(s.level.transport.kind, 'tunnel');
    const labels = (await parent.docker.getContainer(s.containerId).inspect()).Config.Labels;
    assert.equal(labels[LABELS.parent], parent.id);
    const above = [...await subnetsOf(levels.roots()[0]), ...await subnetsOf(parent)];
    const own = (await subnetsOf(s.level)).find((n) => n.startsWith('172.'))!;
    assert.ok(own);
    assert.ok(!above.includes(own), `${own} differs from the subnets above (${above.join(', ')})`);
  });

  it('starts a level at depth 3 in tunnel mode: no published port, reached through the exec tunnel', async () => {
    const parent = started[1].level;
    const s = await startLevel(levels, parent, { image: IMAGE, name: 'dl-start-3', mode: 'tunnel', pull: false });
    started.push(s);
    assert.equal(s.level.depth, 3);
    assert.equal(s.level.transport.kind, 'tunnel');
    const inspect = await parent.docker.getContainer(s.containerId).inspect();
    assert.deepEqual(Object.keys(inspect.HostConfig.PortBindings ?? {}), []);
    assert.equal((await s.level.info()).Name, s.containerId.slice(0, 12));
    const subnets = [...await subnetsOf(levels.roots()[0]), ...await subnetsOf(started[0].level), ...await subnetsOf(parent)];
    const own = (await subnetsOf(s.level)).filter((n) => n.startsWith('172.'));
    assert.ok(own.every((n) => !subnets.includes(n)));
  });

  it('docker-levels start-dind prints the new level\'s path', () => {
    const r = cli(['start-dind', '--parent', 'dl-start-1', '--image', IMAGE, '--name', 'dl-start-cli', '--no-pull']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'dl-start-1/dl-start-cli');
    assert.match(r.stderr, /level ready in \d+ ms/);
  });

  it('a missing image that no level above has gives a clear error and creates nothing', async () => {
    const parent = started[0].level;
    const before = (await parent.listContainers()).length;
    await assert.rejects(
      startLevel(levels, parent, { image: 'docker-levels-test/no-such-image:1', name: 'dl-start-missing', pull: false }),
      (e: unknown) => e instanceof DockerLevelsError && e.kind === 'notFound' && /no level above has it/.test(e.message));
    assert.equal((await parent.listContainers()).length, before);
  });

  it('a failed pull (nothing listens at that registry) falls back to the copy, then fails clearly', async () => {
    const parent = started[0].level;
    // A registry on loopback inside the level's own namespace, where nothing listens.
    await assert.rejects(
      startLevel(levels, parent, { image: '127.0.0.1:9/nothing:1', pull: true }),
      (e: unknown) => e instanceof DockerLevelsError && e.kind === 'notFound' && /Pull failed/.test(e.message));
  });

  it('a name conflict is reported as such, and the existing container is untouched', async () => {
    const parent = started[0].level;
    await assert.rejects(startLevel(levels, parent, { image: IMAGE, name: 'dl-start-2', pull: false }),
      (e: unknown) => e instanceof DockerLevelsError && e.kind === 'conflict');
    const still = await parent.docker.getContainer(started[1].containerId).inspect();
    assert.equal(still.State.Running, true);
  });

  it('cancelling removes what was half-created', async () => {
    const parent = started[0].level;
    const controller = new AbortController();
    const p = startLevel(levels, parent, {
      image: IMAGE, name: 'dl-start-cancel', pull: false, signal: controller.signal,
      onProgress: (m) => { if (/Waiting/.test(m)) controller.abort(); },
    });
    await assert.rejects(p, (e: unknown) => e instanceof DockerLevelsError && e.kind === 'cancelled');
    const names = (await parent.listContainers()).map((c) => c.Names[0]);
    assert.ok(!names.includes('/dl-start-cancel'));
  });
});
