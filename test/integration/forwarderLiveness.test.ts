/**
 * A forwarder serves one daemon, the one inside one container: when that container stops, is
 * removed or is replaced by another of the same name, the forwarder stops with a message, and
 * nothing reaches whatever answers afterwards. Real dind levels of this file's own (dl-untrusted-…)
 * in the bed's level 1, removed after every case.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { DaemonLevel, LevelForwarder, Levels, startLevel } from '../../src/core';
import { newLevels, openBedLevel } from './testBed';

const IMAGE = 'docker-levels-test/dind:latest';
const PREFIX = `dl-untrusted-${randomBytes(3).toString('hex')}`;

/** GET over the forwarder's socket on a fresh connection, as a new docker CLI process makes. */
function get(socketPath: string, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ socketPath, agent: false, path: urlPath }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

function stopped(forwarder: LevelForwarder, ms = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the forwarder still serves after ${ms} ms`)), ms);
    forwarder.onDidStop(() => { clearTimeout(timer); resolve(); });
  });
}

describe('a forwarder stops with its level\'s container (integration)', function () {
  this.timeout(180_000);
  let levels: Levels;
  let level1: DaemonLevel;
  const forwarders: LevelForwarder[] = [];

  before(async () => {
    levels = newLevels();
    level1 = await openBedLevel(levels, 1);
  });

  afterEach(async () => {
    await Promise.all(forwarders.splice(0).map((f) => f.stop()));
    const ours = (await level1.docker.listContainers({ all: true })).filter((c) => c.Names.some((n) => n.startsWith(`/${PREFIX}`)));
    await Promise.all(ours.map((c) => level1.docker.getContainer(c.Id).remove({ force: true, v: true })));
  });

  after(async () => {
    levels?.dispose();
    assert.deepEqual((await newLevelsNames()).filter((n) => n.startsWith(PREFIX)), [], 'nothing left behind');
  });

  async function newLevelsNames(): Promise<string[]> {
    const fresh = newLevels();
    try {
      const l1 = await openBedLevel(fresh, 1);
      return (await l1.listContainers()).flatMap((c) => c.Names.map((n) => n.slice(1)));
    } finally {
      fresh.dispose();
    }
  }

  /** A dind level of our own in level 1, forwarded, answering through the forwarder. */
  async function forwardedLevel(name: string): Promise<{ forwarder: LevelForwarder; containerId: string }> {
    const s = await startLevel(levels, level1, { image: IMAGE, name, mode: 'plain', pull: false });
    const forwarder = await LevelForwarder.start(s.level);
    forwarders.push(forwarder);
    const info = await get(forwarder.socketPath, '/info');
    assert.equal(info.status, 200);
    assert.equal((JSON.parse(info.body) as { Name: string }).Name, s.containerId.slice(0, 12), 'the forwarder reaches that level');
    return { forwarder, containerId: s.containerId };
  }

  it('stops when the container is stopped', async () => {
    const { forwarder, containerId } = await forwardedLevel(`${PREFIX}-stop`);
    const done = stopped(forwarder);
    await level1.docker.getContainer(containerId).stop({ t: 2 });
    await done;
    assert.match(forwarder.stopReason?.message ?? '', new RegExp(`its container ${PREFIX}-stop was stopped: its daemon is gone, so the forwarder stopped`));
    assert.ok(!fs.existsSync(forwarder.socketPath), 'its socket is gone');
  });

  it('stops when the container is removed', async () => {
    const { forwarder, containerId } = await forwardedLevel(`${PREFIX}-rm`);
    const done = stopped(forwarder);
    await level1.docker.getContainer(containerId).remove({ force: true, v: true });
    await done;
    assert.match(forwarder.stopReason?.message ?? '', new RegExp(`its container ${PREFIX}-rm was (stopped|removed)`));
  });

  it('stops when the container is replaced by another of the same name, and never serves the newcomer', async () => {
    const name = `${PREFIX}-replace`;
    const { forwarder, containerId } = await forwardedLevel(name);
    const socketPath = forwarder.socketPath;
    const done = stopped(forwarder);
    // As compose recreates a service: the old one renamed aside, the new one under the name, the old one removed.
    await level1.docker.getContainer(containerId).rename({ name: `${name}-old` });
    const newcomer = await startLevel(levels, level1, { image: IMAGE, name, mode: 'plain', pull: false });
    await level1.docker.getContainer(containerId).remove({ force: true, v: true });
    await done;
    assert.notEqual(newcomer.containerId, containerId);
    assert.match(forwarder.stopReason?.message ?? '', new RegExp(`its container ${name} was (stopped|removed)`));
    await assert.rejects(get(socketPath, '/_ping'), /ENOENT|ECONNREFUSED/, 'the socket serves nothing any more');
  });
});
