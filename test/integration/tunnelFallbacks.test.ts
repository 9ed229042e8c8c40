// The exec tunnel's fallbacks, for real: a dind image whose only tunnel tool is socat, and
// one whose only tool is an `nc` with -U (OpenBSD netcat). A level of each, started with no
// TCP listener at all, must be reached through the tunnel, and the pipe inside must be that
// tool (seen in `docker top` while the tunnel's stream is open).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyImage, Levels, removeContainer, startLevel, StartedLevel } from '../../src/core';
import { ensureTestImage } from '../support/testImages';
import { newLevels } from './testBed';

const LEAF = 'docker-levels-test/leaf:latest';
const PREFIX = `dl-tunfb-${process.pid}`;

const cases = [
  { tool: 'socat', dir: 'dind-socat', image: 'docker-levels-test/dind-socat:latest', pipe: /^socat - UNIX-CONNECT:\/var\/run\/docker\.sock$/ },
  { tool: 'nc', dir: 'dind-nc', image: 'docker-levels-test/dind-nc:latest', pipe: /^\/usr\/bin\/nc -U \/var\/run\/docker\.sock$/ },
];

const docker = (args: string[]) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

describe('exec tunnel fallbacks: levels whose only tool is socat, or nc -U (integration)', function () {
  this.timeout(600_000);
  let levels: Levels;

  before(() => {
    for (const c of cases) ensureTestImage(c.dir, c.image);
    levels = newLevels();
  });

  after(() => {
    levels?.dispose();
    assert.equal(docker(['ps', '-a', '--filter', `name=${PREFIX}`, '--format', '{{.Names}}']).trim(), '', 'nothing of this test is left');
  });

  for (const c of cases) {
    it(`a level whose only tunnel tool is ${c.tool} is reached through the tunnel, and runs a container`, async () => {
      // The premise: of docker, socat and nc, the image has only this one.
      // (Files on PATH, not `command -v`: busybox's shell answers that with its own applets.)
      const tools = docker(['run', '--rm', '--entrypoint', 'sh', c.image, '-c',
        'for t in docker socat nc; do for d in $(echo "$PATH" | tr : " "); do if [ -x "$d/$t" ]; then echo "$t"; break; fi; done; done']).split('\n').filter(Boolean);
      assert.deepEqual(tools, [c.tool]);

      const root = levels.roots()[0];
      let started: StartedLevel | undefined;
      try {
        started = await startLevel(levels, root, { image: c.image, name: `${PREFIX}-${c.tool}`, mode: 'tunnel', publish: false, pull: false });
        const level = started.level;
        assert.equal(level.transport.kind, 'tunnel');
        assert.deepEqual(Object.keys((await root.docker.getContainer(started.containerId).inspect()).HostConfig.PortBindings ?? {}), [], 'no port to reach it by');
        assert.equal((await level.info()).Name, started.containerId.slice(0, 12));
        // The tunnel's kept-alive stream is an exec of the tool, and of nothing else.
        const pipes = docker(['top', started.containerId, '-o', 'pid,args']).split('\n').slice(1).map((l) => l.trim().replace(/^\d+\s+/, ''))
          .filter((l) => /socat|nc |dial-stdio/.test(l));
        assert.ok(pipes.length > 0 && pipes.every((p) => c.pipe.test(p)), `the tunnel runs ${c.tool}: ${pipes.join(' | ') || 'no pipe process'}`);

        // Real traffic both ways through it: an image streamed in, a container made and listed.
        await copyImage(root, level, LEAF);
        const made = await level.docker.createContainer({ Image: LEAF, name: `${PREFIX}-leaf` });
        await made.start();
        const listed = await level.listContainers();
        assert.deepEqual(listed.map((x) => [x.Names[0], x.State]), [[`/${PREFIX}-leaf`, 'running']]);
      } finally {
        if (started) await removeContainer(levels, root, started.containerId).catch(() => undefined);
      }
    });
  }
});
