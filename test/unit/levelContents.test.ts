import * as assert from 'node:assert/strict';
import type Docker from 'dockerode';
import {
  checkImageList, checkNetworkList, checkVolumeList, containersOnNetwork, containersUsingImage, containersUsingVolume, describeUsers,
  DockerLevelsError, groupByComposeProject, MAX_CONTENT_ITEMS_PER_LEVEL, shortRef,
} from '../../src/core';

const ID = 'a'.repeat(64);

function summary(name: string, over: Partial<Docker.ContainerInfo> = {}): Docker.ContainerInfo {
  return { Id: name.padEnd(64, '0'), Names: [`/${name}`], Image: 'busybox', ImageID: `sha256:${ID}`, Labels: {}, State: 'running', ...over } as Docker.ContainerInfo;
}

describe('a level\'s images, volumes and networks, as they arrive (unit)', () => {
  it('keeps well-formed images, drops untagged placeholders, and reports entries of the wrong shape', () => {
    const dropped: string[] = [];
    const images = checkImageList([
      { Id: `sha256:${ID}`, RepoTags: ['leaf:latest'], RepoDigests: null, Created: 1, Size: 2000, Labels: null },
      { Id: `sha256:${'b'.repeat(64)}`, RepoTags: ['<none>:<none>'], RepoDigests: ['<none>@<none>'], Created: 2, Size: 3 },
      { Id: 'not-an-id', RepoTags: [], Created: 1, Size: 1 },
      { Id: `sha256:${'c'.repeat(64)}`, RepoTags: [7], Created: 1, Size: 1 },
      'a string',
    ], 'level x', (p) => dropped.push(p));
    assert.deepEqual(images.map((i) => [i.tags, i.digests, i.labels]), [[['leaf:latest'], [], {}], [[], [], {}]]);
    assert.equal(dropped.length, 3);
    assert.match(dropped[0], /image 3 of 5 \(not-an-id\): its Id is not an image ID/);
    assert.match(dropped[1], /RepoTags is not a list of names/);
    assert.match(dropped[2], /not an object/);
  });

  it('fails a listing that is not a list, or longer than a level is read with', () => {
    assert.throws(() => checkImageList({ Id: ID }, 'level x'), (e: unknown) => e instanceof DockerLevelsError && e.kind === 'notADaemon');
    assert.throws(() => checkNetworkList(new Array(MAX_CONTENT_ITEMS_PER_LEVEL + 1).fill({}), 'level x'), /more than the 20000/);
    assert.throws(() => checkVolumeList([], 'level x'), /volume listing is not an object/);
  });

  it('reads volumes (a null list is none) and networks, escaping the names it reports', () => {
    assert.deepEqual(checkVolumeList({ Volumes: null, Warnings: null }, 'level x'), []);
    const dropped: string[] = [];
    const volumes = checkVolumeList({ Volumes: [{ Name: 'data', Driver: 'local', Mountpoint: '/v', Labels: { a: 'b' }, Scope: 'local' }, { Name: 'x\x1b[2J', Driver: 3 }] },
      'level x', (p) => dropped.push(p));
    assert.deepEqual(volumes.map((v) => [v.name, v.labels]), [['data', { a: 'b' }]]);
    assert.match(dropped[0], /x\\x1b\[2J.*Driver is not a string/);
    const networks = checkNetworkList([{ Id: 'f'.repeat(64), Name: 'bridge', Driver: 'bridge', Scope: 'local', Internal: false }, { Id: 'f'.repeat(64), Name: 'n', Driver: 'd', Internal: 'yes' }], 'level x');
    assert.deepEqual(networks.map((n) => n.name), ['bridge']);
  });

  it('finds the containers that use an image, mount a volume or sit on a network', () => {
    const list = [
      summary('web', { Mounts: [{ Type: 'volume', Name: 'data' }] as Docker.ContainerInfo['Mounts'], NetworkSettings: { Networks: { front: { NetworkID: 'n1' } } } as never }),
      summary('db', { ImageID: `sha256:${'b'.repeat(64)}`, Mounts: [{ Type: 'bind', Name: 'data' }] as Docker.ContainerInfo['Mounts'], NetworkSettings: { Networks: { back: { NetworkID: 'n2' } } } as never }),
      summary('bare', { NetworkSettings: undefined as never }),
    ];
    assert.deepEqual(containersUsingImage(list, ID).map((u) => u.name), ['web', 'bare']);
    assert.deepEqual(containersUsingImage(list, `sha256:${'b'.repeat(64)}`).map((u) => u.name), ['db']);
    assert.deepEqual(containersUsingVolume(list, 'data').map((u) => u.name), ['web']);
    assert.deepEqual(containersOnNetwork(list, { id: 'n2', name: 'other' }).map((u) => u.name), ['db']);
    assert.deepEqual(containersOnNetwork(list, { id: 'zz', name: 'front' }).map((u) => u.name), ['web']);
    assert.equal(describeUsers([1, 2, 3, 4, 5, 6, 7].map((i) => ({ id: `${i}`, name: `c${i}`, state: 'running' })), 5), 'c1, c2, c3, c4, c5 and 2 more');
    assert.equal(shortRef(`sha256:${ID}`), 'a'.repeat(12));
    assert.equal(shortRef('leaf:latest'), 'leaf:latest');
  });
});

describe('compose projects (unit)', () => {
  it('groups containers by the compose project label, sorted by project, and keeps the rest ungrouped', () => {
    const p = (name: string, project?: string) => summary(name, { Labels: project === undefined ? {} : { 'com.docker.compose.project': project } });
    const { projects, ungrouped } = groupByComposeProject([p('shop-web-1', 'shop'), p('lone'), p('blog-db-1', 'blog'), p('shop-db-1', 'shop'), p('empty', ''),
      summary('nolabels', { Labels: undefined as never })]);
    assert.deepEqual(projects.map((g) => [g.name, g.containers.map((c) => c.Names[0])]),
      [['blog', ['/blog-db-1']], ['shop', ['/shop-web-1', '/shop-db-1']]]);
    assert.deepEqual(ungrouped.map((c) => c.Names[0]), ['/lone', '/empty', '/nolabels']);
  });
});
