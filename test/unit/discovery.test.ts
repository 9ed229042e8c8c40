import * as assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { daemonHint, daemonPortsOf, DockerLevelsError, matchContainer, parseLevelPath, planSubnets } from '../../src/core';

function summary(over: Partial<Docker.ContainerInfo>): Docker.ContainerInfo {
  return { Id: 'a'.repeat(64), Names: ['/c'], Image: 'busybox', Command: 'sleep 1', Labels: {}, Ports: [], State: 'running', ...over } as Docker.ContainerInfo;
}

describe('level discovery from listing data (unit)', () => {
  it('recognises dind images, daemon commands, daemon ports and our labels', () => {
    assert.ok(daemonHint(summary({ Image: 'docker:dind' })));
    assert.ok(daemonHint(summary({ Image: 'docker:27-dind' })));
    assert.ok(daemonHint(summary({ Image: 'jpetazzo/dind' })));
    assert.ok(daemonHint(summary({ Image: 'cruizba/ubuntu-dind:latest' })));
    assert.ok(daemonHint(summary({ Command: 'dockerd-entrypoint.sh' })));
    assert.ok(daemonHint(summary({ Command: 'wrapdocker' })));
    assert.ok(daemonHint(summary({ Ports: [{ PrivatePort: 2376, Type: 'tcp' } as Docker.Port] })));
    assert.ok(daemonHint(summary({ Labels: { 'docker-levels.level': 'true' } })));
  });

  it('is certain only of containers made to run a daemon', () => {
    assert.equal(daemonHint(summary({ Labels: { 'docker-levels.level': 'true' } }))?.certain, true);
    assert.equal(daemonHint(summary({ Labels: { 'docker-levels.dind': 'true' } }))?.certain, true);
    assert.equal(daemonHint(summary({ Image: 'docker:dind' }))?.certain, true);
    assert.equal(daemonHint(summary({ Image: 'docker:27-dind-rootless' }))?.certain, true);
    assert.equal(daemonHint(summary({ Image: 'cruizba/ubuntu-dind:latest' }))?.certain, false);
    assert.equal(daemonHint(summary({ Command: 'wrapdocker' }))?.certain, false);
  });

  it('leaves ordinary containers alone', () => {
    assert.equal(daemonHint(summary({ Image: 'nginx:latest', Command: 'nginx -g daemon off;' })), undefined);
    assert.equal(daemonHint(summary({ Image: 'docker:cli', Command: 'docker ps' })), undefined);
    assert.equal(daemonHint(summary({ Image: 'windows-dindows' })), undefined);
  });

  it('reads daemon ports from inspect data: PORT, TLS, published bindings', () => {
    const inspect = (env: string[], ports: Record<string, { HostIp: string; HostPort: string }[]>, exposed: string[] = []) => ({
      Config: { Env: env, Labels: {}, ExposedPorts: Object.fromEntries(exposed.map((p) => [p, {}])) },
      NetworkSettings: { Ports: ports, Networks: { bridge: { IPAddress: '172.17.0.2' } } },
    }) as unknown as Docker.ContainerInspectInfo;
    const seed = daemonPortsOf(inspect(['PORT=4444'], { '4444/tcp': [{ HostIp: '127.0.0.1', HostPort: '49000' }] }));
    assert.equal(seed.plainPort, 4444);
    assert.equal(seed.tlsPort, undefined);
    assert.deepEqual(seed.published.get(4444), { hostIp: '127.0.0.1', hostPort: 49000 });
    assert.equal(seed.ip, '172.17.0.2');
    const tunnelLevel = daemonPortsOf({ ...inspect(['DOCKER_TLS_CERTDIR='], {}, ['2375/tcp', '2376/tcp']),
      Config: { Env: ['DOCKER_TLS_CERTDIR='], Labels: { 'docker-levels.level': 'true', 'docker-levels.tls': 'false' }, ExposedPorts: { '2375/tcp': {}, '2376/tcp': {} } },
    } as unknown as Docker.ContainerInspectInfo);
    assert.equal(tunnelLevel.plainPort, undefined, 'a level we started without a port label listens on no TCP port');
    const dind = daemonPortsOf(inspect(['DOCKER_TLS_CERTDIR=/certs'], {}, ['2375/tcp', '2376/tcp']));
    assert.equal(dind.tlsPort, 2376);
    assert.equal(dind.plainPort, undefined);
    const plainDind = daemonPortsOf(inspect(['DOCKER_TLS_CERTDIR='], {}, ['2375/tcp', '2376/tcp']));
    assert.equal(plainDind.plainPort, 2375);
  });
});

describe('level paths (unit)', () => {
  const list = [summary({ Id: 'abc111'.padEnd(64, '0'), Names: ['/l1'] }), summary({ Id: 'abc222'.padEnd(64, '0'), Names: ['/web'] })];

  it('splits paths and rejects empty segments', () => {
    assert.deepEqual(parseLevelPath('l1/l2/web'), ['l1', 'l2', 'web']);
    assert.deepEqual(parseLevelPath('/l1/'), ['l1']);
    assert.deepEqual(parseLevelPath(''), []);
    assert.throws(() => parseLevelPath('l1//web'), /empty segment at position 2/);
  });

  it('matches names first, then unique ID prefixes', () => {
    assert.equal(matchContainer(list, 'web', 'x').Names[0], '/web');
    assert.equal(matchContainer(list, 'abc1', 'x').Names[0], '/l1');
    assert.throws(() => matchContainer(list, 'abc', 'x'), (e: unknown) => e instanceof DockerLevelsError && /matches 2 containers/.test(e.message));
    assert.throws(() => matchContainer(list, 'zzz', 'x'), (e: unknown) => e instanceof DockerLevelsError && e.kind === 'notFound' && /It has: l1, web/.test(e.userMessage));
  });
});

describe('subnet planning (unit)', () => {
  it('gives each depth its own bridge and pool', () => {
    assert.equal(planSubnets(['172.17.0.0/16'], 1).bip, '172.18.0.1/16');
    assert.equal(planSubnets(['172.17.0.0/16'], 2).addressPool, 'base=10.102.0.0/16,size=24');
  });

  it('skips subnets used by any level above', () => {
    const plan = planSubnets(['172.17.0.0/16', '172.18.0.0/16', '172.19.0.0/16', '10.102.0.0/24'], 2);
    assert.equal(plan.bip, '172.20.0.1/16');
    assert.equal(plan.addressPool, 'base=10.103.0.0/16,size=24');
    assert.deepEqual(plan.daemonArgs, ['--bip', '172.20.0.1/16', '--default-address-pool', 'base=10.103.0.0/16,size=24']);
  });
});
