// Both branches of Start DinD's privilege choice, on every machine. A private dockerd of the
// tests' own, started with a bounding set that lacks CAP_SYS_RESOURCE (setpriv), refuses
// --privileged ("unable to apply caps") as some VMs do: Start DinD must fall back to the
// capability set and still give a working level. Whether --privileged works on the host
// daemon is probed with a plain `docker run --privileged`; Start DinD there must take the
// branch the probe says (privileged where it works, the fallback where it does not).
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { endpointFromSetting, FALLBACK_PRIVILEGES, Levels, Logger, removeContainer, startLevel, StartedLevel } from '../../src/core';
import { PrivateDockerd, startPrivateDockerd } from '../support/privateDockerd';
import { newLevels } from './testBed';

const IMAGE = 'docker-levels-test/dind:latest';
const LEAF = 'docker-levels-test/leaf:latest';
const PREFIX = `dl-privfb-${process.pid}`;

function recordingLogger(into: string[]): Logger {
  const put = (m: string) => { into.push(m); };
  return { trace: put, debug: put, info: put, warn: (m) => into.push(`warn: ${m}`), error: (m) => into.push(`error: ${m}`) };
}

interface HostConfigSeen { Privileged: boolean; CapAdd: string[] | null; CapDrop: string[] | null }

describe('Start DinD: the --privileged branch and its capability fallback (integration)', function () {
  this.timeout(300_000);
  let dockerd: PrivateDockerd | undefined;

  before(async () => {
    dockerd = await startPrivateDockerd({ prefix: PREFIX, dropBounding: ['sys_resource'] });
    // The private daemon starts empty and no registry is reachable: the bed's images come from the host's.
    for (const image of [IMAGE, LEAF]) dockerd.docker(['load', '-q'], execFileSync('docker', ['save', image], { maxBuffer: 512 << 20 }));
  });

  after(async () => {
    await dockerd?.stop();
  });

  it('a daemon whose bounding set lacks SYS_RESOURCE refuses --privileged, and Start DinD falls back to the capability set', async () => {
    const d = dockerd!;
    // The premise, seen with the docker CLI: --privileged is refused there, the fallback set is not.
    const refused = spawnSync('docker', ['-H', d.url, 'run', '--rm', '--privileged', LEAF, 'true'], { encoding: 'utf8' });
    assert.notEqual(refused.status, 0, 'the private daemon refuses --privileged');
    assert.match(refused.stderr, /unable to apply caps|operation not permitted/i);

    const log: string[] = [];
    const levels = new Levels([endpointFromSetting({ name: PREFIX, url: d.url })], { timeoutMs: 15_000, log: recordingLogger(log) });
    const started: StartedLevel[] = [];
    try {
      const root = levels.roots()[0];
      const progress: string[] = [];
      const first = await startLevel(levels, root, { image: IMAGE, name: `${PREFIX}-a`, mode: 'tunnel', publish: false, pull: false, onProgress: (m) => progress.push(m) });
      started.push(first);
      assert.equal(first.privilege, 'capabilities');
      assert.ok(progress.includes('--privileged is refused here; using the equivalent capability set…'), progress.join('\n'));
      assert.ok(log.some((l) => /^warn: .*--privileged refused on .*unable to apply caps/i.test(l)), log.join('\n'));
      const host = JSON.parse(d.docker(['inspect', '--format', '{{json .HostConfig}}', first.containerId])) as HostConfigSeen;
      assert.equal(host.Privileged, false);
      assert.deepEqual(host.CapAdd, FALLBACK_PRIVILEGES.CapAdd);
      assert.deepEqual(host.CapDrop, FALLBACK_PRIVILEGES.CapDrop);
      // The level works: its daemon answers, by the name its container has one level up, and runs a container.
      assert.equal((await first.level.info()).Name, first.containerId.slice(0, 12));
      assert.deepEqual(await first.level.listContainers(), []);
      // Only one container was ever made for it: the refused privileged one was removed.
      assert.deepEqual(d.docker(['ps', '-a', '--format', '{{.Names}}']).split('\n').filter(Boolean), [`${PREFIX}-a`]);

      // The refusal is remembered for this daemon: the next level goes straight to the fallback.
      const again: string[] = [];
      const second = await startLevel(levels, root, { image: IMAGE, name: `${PREFIX}-b`, mode: 'tunnel', publish: false, pull: false, onProgress: (m) => again.push(m) });
      started.push(second);
      assert.equal(second.privilege, 'capabilities');
      assert.ok(!again.some((m) => /refused/.test(m)), again.join('\n'));
    } finally {
      for (const s of started) await removeContainer(levels, levels.roots()[0], s.containerId).catch(() => undefined);
      levels.dispose();
    }
    assert.deepEqual(d.docker(['ps', '-a', '--format', '{{.Names}}']).split('\n').filter(Boolean), []);
  });

  it('on the host daemon Start DinD takes the branch a plain `docker run --privileged` predicts', async () => {
    const probe = spawnSync('docker', ['run', '--rm', '--privileged', LEAF, 'true'], { encoding: 'utf8' });
    const privilegedWorks = probe.status === 0;
    // Which branch this machine runs, for the report: both are asserted, each where it applies.
    console.log(`      host daemon: --privileged ${privilegedWorks ? 'works: the privileged branch runs' : `is refused (${probe.stderr.trim().split('\n')[0]}): the fallback runs`}`);
    if (!privilegedWorks) assert.match(probe.stderr, /unable to apply caps|operation not permitted/i, 'refused for the reason the fallback handles');
    const levels = newLevels();
    let started: StartedLevel | undefined;
    try {
      started = await startLevel(levels, levels.roots()[0], { image: IMAGE, name: `${PREFIX}-host`, mode: 'tunnel', publish: false, pull: false });
      assert.equal(started.privilege, privilegedWorks ? 'privileged' : 'capabilities');
      const host = JSON.parse(execFileSync('docker', ['inspect', '--format', '{{json .HostConfig}}', started.containerId], { encoding: 'utf8' })) as HostConfigSeen;
      assert.equal(host.Privileged, privilegedWorks);
      if (!privilegedWorks) assert.deepEqual(host.CapAdd, FALLBACK_PRIVILEGES.CapAdd);
      assert.equal((await started.level.info()).Name, started.containerId.slice(0, 12));
    } finally {
      if (started) await removeContainer(levels, levels.roots()[0], started.containerId).catch(() => undefined);
      levels.dispose();
    }
    const left = execFileSync('docker', ['ps', '-a', '--filter', `name=${PREFIX}`, '--format', '{{.Names}}'], { encoding: 'utf8' }).trim();
    assert.equal(left, '', 'nothing of this test is left on the host daemon');
  });
});
