import * as assert from 'node:assert/strict';
import { checkSystemDf, demux, formatBytes, levelHealth, mtuOfNetwork, orphanCandidates, summarizeDiskUsage } from '../../src/core';

const HEX = (c: string) => c.repeat(64);

function df(over: Record<string, unknown> = {}): unknown {
  return {
    LayersSize: 1000,
    Images: [
      { Id: `sha256:${HEX('a')}`, RepoTags: ['used:1'], Containers: 1, Size: 600, SharedSize: 100 },
      { Id: `sha256:${HEX('b')}`, RepoTags: null, Containers: 0, Size: 500, SharedSize: 100 },
    ],
    Containers: [
      { Id: HEX('c'), Names: ['/up'], State: 'running', SizeRw: 10, Mounts: [{ Type: 'volume', Name: HEX('1'), Destination: '/var/lib/docker' }] },
      { Id: HEX('d'), Names: ['/down'], State: 'exited', SizeRw: 20 },
    ],
    Volumes: [
      { Name: HEX('1'), Driver: 'local', UsageData: { Size: 300, RefCount: 1 } },
      { Name: HEX('2'), Driver: 'local', UsageData: { Size: 40, RefCount: 0 } },
      { Name: 'named', Driver: 'local', UsageData: { Size: 5, RefCount: 0 } },
      { Name: HEX('3'), Driver: 'local', UsageData: { Size: -1, RefCount: -1 } },
    ],
    BuildCache: [{ ID: 'x', Size: 7, InUse: false, Shared: false }, { ID: 'y', Size: 9, InUse: false, Shared: true }],
    ...over,
  };
}

describe('disk use and health (unit)', () => {
  it('sums /system/df as docker system df does', () => {
    const u = summarizeDiskUsage(checkSystemDf(df(), 'test'));
    assert.deepEqual([u.images.count, u.images.bytes, u.images.reclaimableBytes], [2, 1000, 500]);
    assert.deepEqual([u.containers.count, u.containers.bytes, u.containers.reclaimableBytes], [2, 30, 20]);
    assert.deepEqual([u.volumes.count, u.volumes.bytes, u.volumes.reclaimableBytes], [4, 345, 45]);
    assert.deepEqual([u.buildCache.bytes, u.buildCache.reclaimableBytes], [7, 7]);
    assert.equal(u.reclaimableBytes, 500 + 20 + 45 + 7);
    assert.equal(u.totalBytes, 1000 + 30 + 345 + 7);
  });

  it('refuses a /system/df of the wrong shape, naming what is wrong', () => {
    for (const [bad, why] of [
      [[], /not an object/], [df({ Images: 'x' }), /Images is not a list/], [df({ LayersSize: 'big' }), /LayersSize/],
      [df({ Volumes: [{ Name: 'v', Driver: 'local', UsageData: { Size: '1', RefCount: 0 } }] }), /UsageData/],
      [df({ Containers: [{ Id: 'nope', Names: [], State: 'x' }] }), /container Id/],
    ] as const) {
      assert.throws(() => checkSystemDf(bad, 'level x'), (e: Error) => why.test(e.message) && /not the Docker Engine API/.test(e.message));
    }
    assert.deepEqual(checkSystemDf({ LayersSize: 0, Images: null }, 'x').Images, []);
  });

  it('orphan candidates are anonymous, local, unused and mounted nowhere', () => {
    assert.deepEqual(orphanCandidates(checkSystemDf(df(), 'x')).map((v) => v.Name), [HEX('2')]);
  });

  it('reads an MTU only when it is a plausible number', () => {
    assert.equal(mtuOfNetwork({ Options: { 'com.docker.network.driver.mtu': '1400' } }), 1400);
    for (const bad of [{}, null, 'x', { Options: { 'com.docker.network.driver.mtu': '1e9' } }, { Options: { 'com.docker.network.driver.mtu': 9000 } }]) {
      assert.equal(mtuOfNetwork(bad), 1500);
    }
  });

  it('warns on vfs and on a bridge larger than the parent\'s, and only then', () => {
    assert.deepEqual(levelHealth({ Driver: 'overlay2', CgroupVersion: '2' }, 1500, 1500), {
      storageDriver: 'overlay2', mtu: 1500, parentMtu: 1500, cgroupVersion: '2', warnings: [],
    });
    assert.equal(levelHealth({ Driver: 'overlay2' }, 1400, 1500).warnings.length, 0);
    assert.match(levelHealth({ Driver: 'overlay2' }, 1500, 1450).warnings[0], /MTU 1500 .* \(1450\).*--mtu 1450/);
    assert.match(levelHealth({ Driver: 'vfs' }, 1500, null).warnings[0], /vfs/);
    assert.equal(levelHealth({ Driver: 'vfs', CgroupVersion: '\u001b[2J' }, null, null).cgroupVersion, null);
  });

  it('takes a log apart from its frames, and a cut frame ends it', () => {
    const frame = (stream: number, text: string) => {
      const head = Buffer.from([stream, 0, 0, 0, 0, 0, 0, 0]);
      head.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([head, Buffer.from(text)]);
    };
    const buf = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]);
    assert.deepEqual(demux(buf), { text: 'out\nerr\n', truncated: false });
    assert.deepEqual(demux(buf.subarray(0, buf.length - 2)), { text: 'out\ner', truncated: true });
    assert.deepEqual(demux(Buffer.from('plain tty text')), { text: 'plain tty text', truncated: false });
  });

  it('writes sizes as the docker CLI does', () => {
    assert.equal(formatBytes(0), '0B');
    assert.equal(formatBytes(215116432), '215MB');
    assert.equal(formatBytes(55829), '55.8kB');
    assert.equal(formatBytes(2323680), '2.32MB');
  });
});
