import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import { DaemonLevel, DockerLevelsError, ExecTunnelAgent, NestedTransportKind } from '../../src/core';
import { waitFor } from '../support/waitFor';
import { bedChain, newLevels, openBedLevel, psAt, theBed } from './testBed';

async function withOrder<T>(order: NestedTransportKind[], work: (open: (depth: number) => Promise<DaemonLevel>) => Promise<T>): Promise<T> {
  const levels = newLevels({ transportOrder: order });
  try {
    return await work((depth) => openBedLevel(levels, depth));
  } finally {
    levels.dispose();
  }
}

async function namesAt(level: DaemonLevel): Promise<string[]> {
  return (await level.listContainers()).map((c) => c.Names[0].slice(1)).sort();
}

describe('each transport on its own (integration)', () => {
  it('published: the daemon port published on 127.0.0.1, and on the parent\'s bridge IP one level down', async () => {
    await withOrder(['published'], async (open) => {
      const l1 = await open(1);
      assert.equal(l1.transport.kind, 'published');
      assert.match(l1.transport.address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
      const l2 = await open(2);
      assert.equal(l2.transport.kind, 'published');
      assert.deepEqual(await namesAt(l2), [...psAt(bedChain(2)).values()].sort());
      // Level 3 publishes nothing and its IP is not routable from here: no TCP route exists.
      await assert.rejects(open(3), (e: unknown) => e instanceof DockerLevelsError && /No transport in \[published\] applies/.test(e.message));
    });
  });

  it('bridge: the container IP, only where it is on one of this machine\'s interfaces', async () => {
    await withOrder(['bridge'], async (open) => {
      const l1 = await open(1);
      assert.equal(l1.transport.kind, 'bridge');
      const ip = execFileSync('docker', ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', theBed().l1.name], { encoding: 'utf8' }).trim();
      assert.equal(l1.transport.address, `tcp://${ip}:2375`);
      assert.deepEqual(await namesAt(l1), [...psAt(bedChain(1)).values()].sort());
      // Level 2's IP is on level 1's bridge, not routable from here: never dialled.
      await assert.rejects(open(2), /No transport in \[bridge\] applies/);
    });
  });

  it('tls: certificates read from the container\'s /certs/client through the parent, kept in memory', async () => {
    const levels = newLevels({ transportOrder: ['tls'] });
    try {
      const root = levels.roots()[0];
      const level = await levels.openLevel(root, theBed().tls.id);
      assert.equal(level.transport.kind, 'tls');
      assert.match(level.transport.address, /^tls:\/\/127\.0\.0\.1:\d+$/);
      const info = await level.info();
      assert.equal(info.Name, theBed().tls.id.slice(0, 12));
      // Plain HTTP to the TLS port is refused, so the answer above really came over TLS.
      const port = /:(\d+)$/.exec(level.transport.address)![1];
      const plain = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: Number(port), path: '/_ping' }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
      });
      assert.equal(plain, 400);
    } finally {
      levels.dispose();
    }
  });

  it('tunnel: exec tunnels hop by hop to depth 3, where no IP is routable', async () => {
    await withOrder(['tunnel'], async (open) => {
      for (let depth = 1; depth <= 3; depth++) {
        const level = await open(depth);
        assert.equal(level.transport.kind, 'tunnel');
        assert.equal(level.transport.tcpRoute, undefined);
        assert.deepEqual(await namesAt(level), [...psAt(bedChain(depth)).values()].sort(), `depth ${depth}`);
      }
    });
  });

  it('tunnel: a followed level keeps one stream open ahead, which its next new connection takes; released, it is closed', async () => {
    await withOrder(['tunnel'], async (open) => {
      const level = await open(3);
      const agent = (level.connection as { agent?: unknown }).agent;
      assert.ok(agent instanceof ExecTunnelAgent, 'level 3 is reached by an exec tunnel agent');
      const expected = [...psAt(bedChain(3)).values()].sort();
      assert.deepEqual(await namesAt(level), expected);
      assert.equal(agent.spareIsReady, false, 'no spare while nobody holds one');
      const hold = level.keepStreamReady();
      try {
        await waitFor(() => agent.spareIsReady, 60_000, 'the spare stream of level 3 open');
        // The kept-alive stream is busy with a request that stays open: the next request needs a new connection.
        const events = await level.docker.getEvents({ filters: { type: ['container'] } }) as NodeJS.ReadableStream & { destroy(): void };
        try {
          assert.deepEqual(await namesAt(level), expected, 'listed on a new connection');
          assert.equal(agent.sparesTaken, 1, 'the new connection was the spare');
          await waitFor(() => agent.spareIsReady, 60_000, 'another spare opened ahead');
        } finally {
          events.destroy();
        }
      } finally {
        hold.dispose();
      }
      assert.equal(agent.spareIsReady, false, 'released: the spare is closed');
      const open2 = agent.streamsOpen;
      level.keepStreamReady().dispose();
      assert.equal(agent.streamsOpen, open2, 'a hold released at once leaves no stream behind');
    });
  });

  it('the configured order decides: tunnel before published is honoured', async () => {
    await withOrder(['tunnel', 'published'], async (open) => {
      assert.equal((await open(1)).transport.kind, 'tunnel');
    });
    await withOrder(['published', 'tunnel'], async (open) => {
      assert.equal((await open(1)).transport.kind, 'published');
      assert.equal((await open(3)).transport.kind, 'tunnel');
    });
  });
});
