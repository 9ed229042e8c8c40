import * as assert from 'node:assert/strict';
import {
  changeProjectState, DaemonLevel, DockerLevelsError, EventSubscription, followProjectLogs, groupByComposeProject, inspectContent,
  Levels, LiveContainerList, LiveLevelContents, listLevelImages, listLevelNetworks, listLevelVolumes, ObjectEvent, removeImage, removeNetwork, removeVolume, runImage,
  silentLogger,
} from '../../src/core';
import { waitFor } from './faultBed';
import { bedChain, cli, dockerAt, newLevels, openBedLevel } from './testBed';

/** Everything this file creates is named with this prefix (images: PREFIX/…), at every level. */
const PREFIX = 'dl-contents';
const LEAF = 'docker-levels-test/leaf:latest';
const tag = (depth: number) => `${PREFIX}/img:${process.pid}-d${depth}`;
const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** What the docker CLI says a level holds, through a `docker exec` chain. */
function cliImages(chain: string[]): { ids: string[]; tags: string[] } {
  const rows = lines(dockerAt(chain, ['images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'])).map((l) => l.split(' '));
  return { ids: sorted(rows.map((r) => r[0])), tags: sorted(rows.map((r) => r[1]).filter((t) => t !== '<none>:<none>')) };
}

/** Removes whatever this file made at a level; returns what was still there. */
function cleanLevel(chain: string[]): string[] {
  const left: string[] = [];
  const each = (list: string[], rm: string[]) => {
    left.push(...list);
    if (list.length) try { dockerAt(chain, [...rm, ...list]); } catch { /* reported through `left` */ }
  };
  each(lines(dockerAt(chain, ['ps', '-aq', '--filter', `name=^/?${PREFIX}-`])), ['rm', '-fv']);
  each(lines(dockerAt(chain, ['volume', 'ls', '-q', '--filter', `name=${PREFIX}-`])), ['volume', 'rm', '-f']);
  each(lines(dockerAt(chain, ['network', 'ls', '-q', '--filter', `name=${PREFIX}-`])), ['network', 'rm']);
  each(lines(dockerAt(chain, ['images', '--format', '{{.Repository}}:{{.Tag}}', `${PREFIX}/*`])), ['rmi', '-f']);
  return left;
}

function expectError(kind: DockerLevelsError['kind'], message?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof DockerLevelsError, String(e));
    assert.equal(e.kind, kind, e.message);
    if (message) assert.match(e.message, message);
    return true;
  };
}

describe('what a level holds: images, volumes, networks (integration)', () => {
  let levels: Levels;
  const opened: DaemonLevel[] = [];
  before(async () => {
    levels = newLevels();
    for (let depth = 0; depth <= 3; depth++) {
      cleanLevel(bedChain(depth));
      opened.push(depth === 0 ? levels.roots()[0] : await openBedLevel(levels, depth));
    }
  });
  after(() => {
    levels.dispose();
    for (let depth = 0; depth <= 3; depth++) cleanLevel(bedChain(depth));
  });

  for (const depth of [0, 1, 2, 3]) {
    it(`lists what docker images, volume ls and network ls say at depth ${depth}, made objects included`, async () => {
      const chain = bedChain(depth);
      dockerAt(chain, ['tag', LEAF, tag(depth)]);
      dockerAt(chain, ['volume', 'create', `${PREFIX}-vol-${depth}`]);
      dockerAt(chain, ['network', 'create', `${PREFIX}-net-${depth}`]);
      const daemon = opened[depth];
      try {
        await compareLists(daemon, chain, depth);
      } finally {
        dockerAt(chain, ['rmi', tag(depth)]);
        dockerAt(chain, ['volume', 'rm', `${PREFIX}-vol-${depth}`]);
        dockerAt(chain, ['network', 'rm', `${PREFIX}-net-${depth}`]);
      }
    });
  }

  async function compareLists(daemon: DaemonLevel, chain: string[], depth: number): Promise<void> {
    const [images, volumes, networks] = await Promise.all([listLevelImages(daemon), listLevelVolumes(daemon), listLevelNetworks(daemon)]);
    const expected = cliImages(chain);
    assert.deepEqual(sorted(images.items.map((i) => i.id)), expected.ids);
    assert.deepEqual(sorted(images.items.flatMap((i) => i.tags)), expected.tags);
    assert.ok(expected.tags.includes(tag(depth)), `${tag(depth)} at depth ${depth}`);
    assert.deepEqual(sorted(volumes.items.map((v) => v.name)), sorted(lines(dockerAt(chain, ['volume', 'ls', '-q']))));
    assert.ok(volumes.items.some((v) => v.name === `${PREFIX}-vol-${depth}` && v.driver === 'local'));
    assert.deepEqual(sorted(networks.items.map((n) => n.id)), sorted(lines(dockerAt(chain, ['network', 'ls', '-q', '--no-trunc']))));
    assert.deepEqual(sorted(networks.items.map((n) => n.name)), sorted(lines(dockerAt(chain, ['network', 'ls', '--format', '{{.Name}}']))));
    assert.deepEqual([images.leftOut, volumes.leftOut, networks.leftOut], [[], [], []]);
  }

  it('docker-levels images, volumes and networks --json at depth 3 say what the docker CLI says there', () => {
    const chain = bedChain(3);
    const path = chain.join('/');
    const images = cli(['images', path, '--json']);
    assert.equal(images.code, 0, images.stderr);
    const i = JSON.parse(images.stdout) as { path: string; images: { id: string; tags: string[]; containers: string[] }[] };
    assert.equal(i.path, path);
    assert.deepEqual(sorted(i.images.map((x) => x.id)), cliImages(chain).ids);
    const leaf = i.images.find((x) => x.tags.includes(LEAF));
    assert.deepEqual(sorted(leaf?.containers ?? []), sorted(lines(dockerAt(chain, ['ps', '-a', '--filter', `ancestor=${LEAF}`, '--format', '{{.Names}}']))));
    const volumes = JSON.parse(cli(['volumes', path, '--json']).stdout) as { volumes: { name: string }[] };
    assert.deepEqual(sorted(volumes.volumes.map((v) => v.name)), sorted(lines(dockerAt(chain, ['volume', 'ls', '-q']))));
    const networks = JSON.parse(cli(['networks', path, '--json']).stdout) as { networks: { name: string; containers: string[] }[] };
    assert.deepEqual(sorted(networks.networks.map((n) => n.name)), sorted(lines(dockerAt(chain, ['network', 'ls', '--format', '{{.Name}}']))));
    const bridge = networks.networks.find((n) => n.name === 'bridge');
    assert.deepEqual(sorted(bridge?.containers ?? []),
      sorted(lines(dockerAt(chain, ['ps', '--filter', 'network=bridge', '--format', '{{.Names}}']))));
  });

  it('carries image, volume and network events on the container event stream at depth 3', async () => {
    const chain = bedChain(3);
    const objects: ObjectEvent[] = [];
    const containerEvents: string[] = [];
    const sub = new EventSubscription(opened[3], {
      log: silentLogger, onEvent: (e) => containerEvents.push(e.containerId), onObjectEvent: (e) => objects.push(e),
    });
    try {
      await waitFor(() => sub.state === 'live', 30_000, 'the event stream');
      const volume = `${PREFIX}-ev-vol`;
      dockerAt(chain, ['volume', 'create', volume]);
      const network = dockerAt(chain, ['network', 'create', `${PREFIX}-ev-net`]).trim();
      dockerAt(chain, ['tag', LEAF, `${PREFIX}/ev:1`]);
      await waitFor(() => objects.some((e) => e.type === 'volume' && e.action === 'create' && e.id === volume), 30_000, 'the volume create event');
      await waitFor(() => objects.some((e) => e.type === 'network' && e.action === 'create' && e.id === network), 30_000, 'the network create event');
      await waitFor(() => objects.some((e) => e.type === 'image' && e.action === 'tag'), 30_000, 'the image tag event');
      dockerAt(chain, ['volume', 'rm', volume]);
      dockerAt(chain, ['network', 'rm', network]);
      dockerAt(chain, ['rmi', `${PREFIX}/ev:1`]);
      await waitFor(() => objects.some((e) => e.type === 'volume' && e.action === 'destroy' && e.id === volume), 30_000, 'the volume destroy event');
      await waitFor(() => objects.some((e) => e.type === 'network' && e.action === 'destroy' && e.id === network), 30_000, 'the network destroy event');
      await waitFor(() => objects.some((e) => e.type === 'image' && e.action === 'untag'), 30_000, 'the image untag event');
      // None of them reached the container listeners.
      assert.ok(!containerEvents.includes(volume) && !containerEvents.includes(network), containerEvents.join(' '));
    } finally {
      sub.dispose();
    }
  });

  it('keeps a level\'s listings from the one event stream at depth 2: kept until an event of their kind', async () => {
    const chain = bedChain(2);
    const contents = new LiveLevelContents(opened[2]);
    const list = new LiveContainerList(opened[2], {
      log: silentLogger, onObjectEvent: (e) => contents.objectEvent(e), onEvent: (e) => contents.containerEvent(e), onState: (s) => contents.streamState(s),
    });
    const changes: string[] = [];
    const sub = contents.onDidChange((k) => changes.push(k));
    try {
      await waitFor(() => list.isLive, 30_000, 'the event stream');
      const volumes = await contents.list('volume');
      const images = await contents.list('image');
      assert.equal(await contents.list('volume'), volumes, 'a second read is answered from memory');
      changes.length = 0;
      dockerAt(chain, ['volume', 'create', `${PREFIX}-live`]);
      await waitFor(() => changes.includes('volume'), 30_000, 'the volume change');
      assert.ok(!changes.includes('image'), changes.join(' '));
      assert.equal(await contents.list('image'), images, 'images are still kept');
      const after = await contents.list('volume');
      assert.notEqual(after, volumes);
      assert.deepEqual(sorted(after.items.map((v) => v.name)), sorted(lines(dockerAt(chain, ['volume', 'ls', '-q']))));
      assert.ok(after.items.some((v) => v.name === `${PREFIX}-live`));
    } finally {
      sub.dispose();
      list.dispose();
      contents.dispose();
      dockerAt(chain, ['volume', 'rm', '-f', `${PREFIX}-live`]);
    }
  });

  it('refuses to remove an image, volume or network in use at depth 3 and names the container; removes them once free', async () => {
    const chain = bedChain(3);
    const l3 = opened[3];
    const image = `${PREFIX}/solo:${process.pid}`;
    // An image of its own (one tag, its own ID), so only the test's container uses it.
    dockerAt(chain, ['create', '--name', `${PREFIX}-base`, LEAF]);
    dockerAt(chain, ['commit', `${PREFIX}-base`, image]);
    dockerAt(chain, ['rm', `${PREFIX}-base`]);
    dockerAt(chain, ['volume', 'create', `${PREFIX}-used`]);
    const netId = dockerAt(chain, ['network', 'create', `${PREFIX}-used`]).trim();
    dockerAt(chain, ['create', '--name', `${PREFIX}-user`, '-v', `${PREFIX}-used:/data`, '--network', `${PREFIX}-used`, image]);

    await assert.rejects(removeImage(l3, image), expectError('conflict', new RegExp(`used by container: ${PREFIX}-user\\.`)));
    await assert.rejects(removeVolume(l3, `${PREFIX}-used`), expectError('conflict', new RegExp(`${PREFIX}-user`)));
    await assert.rejects(removeNetwork(l3, { id: netId, name: `${PREFIX}-used` }), expectError('conflict', new RegExp(`${PREFIX}-user`)));
    await assert.rejects(removeNetwork(l3, { id: 'x', name: 'bridge' }), expectError('badInput', /every Docker daemon has/));
    assert.ok(cliImages(chain).tags.includes(image), 'the refused image is still there');
    assert.ok(lines(dockerAt(chain, ['volume', 'ls', '-q'])).includes(`${PREFIX}-used`), 'the refused volume is still there');

    // Inspect of each, and of something that is not there.
    assert.equal((await inspectContent(l3, 'volume', `${PREFIX}-used`)).Name, `${PREFIX}-used`);
    assert.equal((await inspectContent(l3, 'network', netId)).Id, netId);
    assert.deepEqual((await inspectContent(l3, 'image', image)).RepoTags, [image]);
    await assert.rejects(inspectContent(l3, 'volume', `${PREFIX}-missing`), expectError('notFound', /is not on level/));

    // A second tag of an image that containers use is only untagged: no conflict, the image stays.
    dockerAt(chain, ['tag', LEAF, `${PREFIX}/alias:1`]);
    const untag = await removeImage(l3, `${PREFIX}/alias:1`);
    assert.deepEqual(untag, { deleted: [], untagged: [`${PREFIX}/alias:1`] });
    assert.ok(cliImages(chain).tags.includes(LEAF));

    dockerAt(chain, ['rm', `${PREFIX}-user`]);
    const removal = await removeImage(l3, image);
    assert.ok(removal.deleted.length >= 1 && removal.untagged.includes(image), JSON.stringify(removal));
    await removeVolume(l3, `${PREFIX}-used`);
    await removeNetwork(l3, { id: netId, name: `${PREFIX}-used` });
    assert.ok(!cliImages(chain).tags.includes(image));
    assert.ok(!lines(dockerAt(chain, ['volume', 'ls', '-q'])).includes(`${PREFIX}-used`));
    assert.ok(!lines(dockerAt(chain, ['network', 'ls', '--format', '{{.Name}}'])).includes(`${PREFIX}-used`));
    await assert.rejects(removeVolume(l3, `${PREFIX}-used`), expectError('notFound'));
  });

  it('runs an image at depth 2, and leaves nothing behind when the run fails', async () => {
    const chain = bedChain(2);
    const { id } = await runImage(opened[2], LEAF, { name: `${PREFIX}-run` });
    assert.equal(dockerAt(chain, ['inspect', '-f', '{{.State.Running}} {{.Id}}', `${PREFIX}-run`]).trim(), `true ${id}`);
    await assert.rejects(runImage(opened[2], LEAF, { name: `${PREFIX}-run-bad`, cmd: ['/no/such/command'] }), expectError('unknown', /no such file|not found/i));
    await assert.rejects(runImage(opened[2], `${PREFIX}/nowhere:1`, { name: `${PREFIX}-run-none` }), expectError('notFound', /No such image/i));
    assert.deepEqual(lines(dockerAt(chain, ['ps', '-a', '--filter', `name=${PREFIX}-run`, '--format', '{{.Names}}'])), [`${PREFIX}-run`]);
    dockerAt(chain, ['rm', '-f', `${PREFIX}-run`]);
  });

  it('groups a compose-labelled project at depth 2 and stops, starts, restarts, follows and removes it as one', async () => {
    const chain = bedChain(2);
    const l2 = opened[2];
    const project = `${PREFIX}-proj-${process.pid}`;
    for (const service of ['web', 'db']) {
      dockerAt(chain, ['run', '-d', '--name', `${PREFIX}-${service}-1`, '--label', `com.docker.compose.project=${project}`,
        '--label', `com.docker.compose.service=${service}`, LEAF, 'sh', '-c', `echo hello-from-${service}; exec /usr/local/bin/idle`]);
    }
    const state = () => lines(dockerAt(chain, ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}={{.State}}'])).sort();

    const group = groupByComposeProject(await l2.listContainers()).projects.find((p) => p.name === project);
    assert.deepEqual(sorted(group?.containers.map((c) => c.Names[0]) ?? []), [`/${PREFIX}-db-1`, `/${PREFIX}-web-1`]);
    const listed = cli(['compose', chain.join('/'), '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const shown = (JSON.parse(listed.stdout) as { projects: { name: string; containers: { service: string }[] }[] }).projects.find((p) => p.name === project);
    assert.deepEqual(sorted(shown?.containers.map((c) => c.service) ?? []), ['db', 'web']);

    assert.deepEqual((await changeProjectState(levels, l2, project, 'stop')).done, [`${PREFIX}-db-1`, `${PREFIX}-web-1`]);
    assert.deepEqual(state(), [`${PREFIX}-db-1=exited`, `${PREFIX}-web-1=exited`]);
    await changeProjectState(levels, l2, project, 'start');
    assert.deepEqual(state(), [`${PREFIX}-db-1=running`, `${PREFIX}-web-1=running`]);
    const viaCli = cli(['compose', chain.join('/'), '--project', project, 'restart']);
    assert.equal(viaCli.code, 0, viaCli.stderr);
    assert.deepEqual(state(), [`${PREFIX}-db-1=running`, `${PREFIX}-web-1=running`]);

    const follow = await followProjectLogs(l2, project, { tail: 100 });
    let text = '';
    follow.output.on('data', (c: Buffer) => { text += c.toString(); });
    try {
      // Each container started three times (run, start, restart), each time saying hello.
      await waitFor(() => ['web', 'db'].every((s) => text.split('\n').filter((l) => new RegExp(`^${PREFIX}-${s}-1 +\\| hello-from-${s}$`).test(l)).length === 3),
        30_000, `three prefixed hello lines from each container, got ${JSON.stringify(text)}`);
    } finally {
      follow.dispose();
    }

    await changeProjectState(levels, l2, project, 'remove');
    assert.deepEqual(state(), []);
    await assert.rejects(changeProjectState(levels, l2, project, 'stop'), expectError('notFound', /No container of the compose project/));
  });

  it('leaves nothing behind at any level', () => {
    // Each test removed what it made (the after hook is for failures only).
    for (let depth = 0; depth <= 3; depth++) assert.deepEqual(cleanLevel(bedChain(depth)), [], `left at depth ${depth}`);
  });
});
