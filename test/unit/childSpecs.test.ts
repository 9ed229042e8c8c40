import * as assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { toChildSpecs } from '../../src/core';

function summary(name: string, over: Partial<Docker.ContainerInfo> = {}): Docker.ContainerInfo {
  return { Id: name.padEnd(64, '0'), Names: [`/${name}`], Image: 'busybox', Command: 'sleep 1', Labels: {}, Ports: [], State: 'running', ...over } as Docker.ContainerInfo;
}

describe('tree children from a container list (unit)', () => {
  it('puts levels first, then running containers, then the rest by name', () => {
    const specs = toChildSpecs('local', [
      summary('b-stopped', { State: 'exited' }),
      summary('c-run'),
      summary('a-run'),
      summary('z-dind', { Image: 'docker:dind' }),
      summary('y-dind-stopped', { Image: 'docker:dind', State: 'exited' }),
    ], new Set());
    assert.deepEqual(specs.map((s) => s.container.Names[0]), ['/z-dind', '/y-dind-stopped', '/a-run', '/c-run', '/b-stopped']);
    assert.deepEqual(specs.map((s) => s.isLevel), [true, false, false, false, false]);
    assert.equal(specs[0].id, `local#${'z-dind'.padEnd(64, '0')}`);
    assert.equal(specs[0].hint?.reason, 'image docker:dind');
  });

  it('shows a container found to run no daemon as a plain container', () => {
    const dind = summary('d', { Image: 'docker:dind' });
    const [spec] = toChildSpecs('local', [dind], new Set([`local#${dind.Id}`]));
    assert.equal(spec.isLevel, false);
    assert.ok(spec.hint);
  });
});
