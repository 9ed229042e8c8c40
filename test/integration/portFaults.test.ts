/**
 * Port forwarding faults that need a level of their own (never the bed's): a dind container in
 * which no relay can start (dash for sh, neither socat nor nc: images/dind-norelay), and a
 * level whose container is killed (docker kill) while a forwarded connection is open. Each
 * ends with a clear message and leaves nothing behind. Everything is named dl-pfault-PID-*.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import { copyImage, DaemonLevel, DockerLevelsError, Levels, PortForward, startLevel } from '../../src/core';
import { ensureTestImage } from '../support/testImages';
import { cli, newLevels } from './testBed';

const PREFIX = `dl-pfault-${process.pid}`;
const LEAF = 'docker-levels-test/leaf:latest';
const DIND = 'docker-levels-test/dind:latest';
const NO_RELAY_IMAGE = 'docker-levels-test/dind-norelay:latest';

const docker = (args: string[]) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

/** Listening sockets of this process: a forward that failed or stopped must leave none. */
const listeners = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

/** A level of its own on the host daemon, with an echo server (port 7000) and httpd (80) in a leaf. */
async function levelWithServer(levels: Levels, image: string, suffix: string): Promise<{ level: DaemonLevel; levelName: string; serverId: string }> {
  const levelName = `${PREFIX}-${suffix}`;
  const started = await startLevel(levels, levels.roots()[0], { image, name: levelName, pull: false });
  await copyImage(levels.roots()[0], started.level, LEAF);
  const made = await started.level.docker.createContainer({
    Image: LEAF, name: `${PREFIX}-web`, ExposedPorts: { '80/tcp': {}, '7000/tcp': {} },
    Cmd: ['sh', '-c', 'mkdir -p /w && echo fault-page > /w/index.html && (nc -ll -p 7000 -e cat &) && exec httpd -f -p 80 -h /w'],
  });
  await made.start();
  return { level: started.level, levelName, serverId: made.id };
}

describe('port forwarding faults on levels of their own (integration)', function () {
  this.timeout(300_000);
  let levels: Levels;
  const forwards: PortForward[] = [];

  const cleanup = () => {
    const ids = docker(['ps', '-aq', '--filter', `name=${PREFIX}`]).split('\n').filter(Boolean);
    // -v: a level's nested containers and images live in its anonymous /var/lib/docker volume.
    if (ids.length) spawnSync('docker', ['rm', '-fv', ...ids], { encoding: 'utf8' });
  };

  before(() => {
    ensureTestImage('dind-norelay', NO_RELAY_IMAGE);
    cleanup();
    levels = newLevels();
  });

  afterEach(async () => {
    await Promise.all(forwards.splice(0).map((f) => f.stop()));
  });

  after(() => {
    levels?.dispose();
    cleanup();
    assert.equal(docker(['ps', '-a', '--filter', `name=${PREFIX}`, '--format', '{{.Names}}']).trim(), '', 'nothing of this test is left');
  });

  it('says the relay cannot start where the dind container has neither socat nor nc, in core and CLI, leaving nothing running', async () => {
    // The premise: sh on its PATH is not busybox, and no socat or nc is there.
    const tools = docker(['run', '--rm', '--entrypoint', 'sh', NO_RELAY_IMAGE, '-c',
      'readlink -f "$(command -v sh)"; for t in socat nc netcat; do command -v "$t" || true; done']).split('\n').filter(Boolean);
    assert.deepEqual(tools, ['/usr/local/bin/sh']);
    const { level, levelName, serverId } = await levelWithServer(levels, NO_RELAY_IMAGE, 'norelay');
    const before = listeners();
    await assert.rejects(PortForward.start({ daemon: level, containerId: serverId, port: 80 }), (err: DockerLevelsError) => {
      assert.equal(err.kind, 'noTunnelTool');
      assert.match(err.userMessage, new RegExp(`^The relay cannot start in ${levelName}: it has neither socat nor nc\\. .*busybox nc`));
      return true;
    });
    assert.equal(listeners(), before, 'no listener is left');
    // The probe's relay exec ended with it: no shell of the relay is left in the dind container.
    const top = docker(['top', levelName, '-o', 'pid,args']).split('\n').slice(1);
    assert.deepEqual(top.filter((l) => /docker-levels-relay/.test(l)), []);

    const r = cli(['port-forward', `${levelName}/${PREFIX}-web`, '80']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /The relay cannot start in .*: it has neither socat nor nc/);
  });

  it('stops with a clear message when the level container is killed mid-forward, closing its connections and listener', async () => {
    const { level, levelName, serverId } = await levelWithServer(levels, DIND, 'killed');
    const before = listeners();
    const f = await PortForward.start({ daemon: level, containerId: serverId, port: 7000 });
    forwards.push(f);
    const held = net.connect({ host: '127.0.0.1', port: f.localPort });
    await new Promise((r) => held.once('connect', r));
    const echoed = await new Promise<string>((resolve) => { held.once('data', (c: Buffer) => resolve(c.toString())); held.write('ping'); });
    assert.equal(echoed, 'ping');
    assert.equal(f.activeConnections, 1);
    const closed = new Promise((r) => held.once('close', r));
    held.on('error', () => undefined);
    const stopped = new Promise((r) => f.onDidStop(r));
    docker(['kill', levelName]);
    await stopped;
    await closed;
    assert.equal(f.state, 'stopped');
    assert.match(f.stopReason?.userMessage ?? '', new RegExp(`^Level ${levelName} went away: its container ${levelName} stopped\\. Start the level again`));
    assert.equal(f.activeConnections, 0);
    assert.equal(listeners(), before, 'its listener is closed');
    await assert.rejects(new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: f.localPort }, () => { s.destroy(); resolve(undefined); });
      s.once('error', reject);
    }), /ECONNREFUSED/);
  });
});
