import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { DockerLevelsError, Levels, PassesOnAncestorError, snapshotDaemon } from '../../src/core';
import { CapturingLogger } from './faultBed';
import { cli, newLevels } from './testBed';

const DIND_IMAGE = 'docker-levels-test/dind:latest';
const LABEL = 'docker-levels-test=proxy';

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

/**
 * Containers that look like dind (the dind image, its label) but pass on the host's own
 * daemon, as docker-socket-proxy and docker-outside-of-docker setups do. Opened as levels,
 * they would show the host's containers, themselves among them, without end.
 */
describe('containers that pass on a daemon above them (integration)', () => {
  let levels: Levels;
  const proxy = `dl-proxy-tcp-${process.pid}`;
  const mounted = `dl-proxy-sock-${process.pid}`;
  const ids = new Map<string, string>();

  before(() => {
    levels = newLevels();
    // A TCP proxy to the host's socket on a published 2375, like tecnativa/docker-socket-proxy.
    ids.set(proxy, docker(['run', '-d', '--name', proxy, '--label', LABEL, '-p', '127.0.0.1::2375',
      '-v', '/var/run/docker.sock:/var/run/docker.sock', '--entrypoint', 'socat', DIND_IMAGE,
      'TCP-LISTEN:2375,fork,reuseaddr', 'UNIX-CONNECT:/var/run/docker.sock']));
    // The host's socket bind-mounted, no daemon of its own (docker-outside-of-docker).
    ids.set(mounted, docker(['run', '-d', '--name', mounted, '--label', LABEL,
      '-v', '/var/run/docker.sock:/var/run/docker.sock', '--entrypoint', 'sleep', DIND_IMAGE, 'infinity']));
  });
  after(() => {
    levels.dispose();
    docker(['rm', '-f', proxy, mounted]);
  });

  for (const [order, which] of [[['published'], 'tcp'], [['tunnel'], 'sock'], [['published', 'bridge', 'tls', 'tunnel'], 'tcp']] as const) {
    it(`refused by ${order.join(', ')}: "passes on the daemon of" the host, no other transport tried`, async () => {
      const log = new CapturingLogger();
      const only = newLevels({ transportOrder: order, log });
      try {
        const name = which === 'tcp' ? proxy : mounted;
        await assert.rejects(only.openLevel(only.roots()[0], ids.get(name)!), (e: unknown) =>
          e instanceof PassesOnAncestorError && e.kind === 'notADaemon'
          && new RegExp(`^${name} passes on the daemon of .* \\(the same daemon ID and host name\\), it runs none of its own\\.$`).test(e.message));
        assert.equal(only.openLevels().length, 0, 'no level was kept open');
        // Each transport that fails is logged as "NAME: KIND failed" (see the last test): none was.
        assert.doesNotMatch(log.text, /: (published|bridge|tls|tunnel) failed/, 'no other transport was tried');
      } finally {
        only.dispose();
      }
    });
  }

  it('the tree shows both as plain containers, though their image is made to run a daemon', async () => {
    const snap = await snapshotDaemon(levels, levels.roots()[0], { depth: 2 });
    for (const name of [proxy, mounted]) {
      const c = snap.containers.find((x) => x.name === name);
      assert.ok(c, `${name} listed`);
      assert.equal(c.level, null, `${name} is a plain container`);
    }
    const r = cli(['tree', '--json', '--depth', '2']);
    assert.equal(r.code, 0, r.stderr);
    const tree = JSON.parse(r.stdout) as { daemons: { containers: { name: string; level: unknown }[] }[] };
    for (const name of [proxy, mounted]) assert.equal(tree.daemons[0].containers.find((c) => c.name === name)?.level, null);
  });

  it('a real nested daemon still opens: its ID differs from every daemon above it', async () => {
    const l1 = (await levels.roots()[0].listContainers()).find((c) => c.Names[0] === '/dl-bed-l1')!;
    const level = await levels.openLevel(levels.roots()[0], l1.Id);
    assert.notEqual((await level.identity()).id, (await levels.roots()[0].identity()).id);
  });

  it('an address that reaches another daemon (not an ancestor) is refused for that transport: it must report the container\'s host name', async () => {
    const wrong = `dl-proxy-other-${process.pid}`;
    const l1Ip = docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'dl-bed-l1']);
    // Its published 2375 leads to level 1's daemon, as a reused address or another network namespace would.
    const id = docker(['run', '-d', '--name', wrong, '--label', LABEL, '-p', '127.0.0.1::2375', '--entrypoint', 'socat', DIND_IMAGE,
      'TCP-LISTEN:2375,fork,reuseaddr', `TCP:${l1Ip}:2375`]);
    const log = new CapturingLogger();
    const only = newLevels({ transportOrder: ['published'], log });
    try {
      const l1Name = docker(['inspect', '-f', '{{.Config.Hostname}}', 'dl-bed-l1']);
      await assert.rejects(only.openLevel(only.roots()[0], id), (e: unknown) =>
        e instanceof DockerLevelsError && e.kind === 'unreachable' && !(e instanceof PassesOnAncestorError)
        && e.message.includes(`answers with the daemon of host "${l1Name}", not the one inside ${wrong} (host name "${id.slice(0, 12)}")`));
      assert.equal(only.openLevels().length, 0);
      assert.match(log.text, new RegExp(`${wrong}: published failed: .*answers with the daemon of host`));
    } finally {
      only.dispose();
      docker(['rm', '-f', wrong]);
    }
  });
});
