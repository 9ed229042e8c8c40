import * as assert from 'node:assert/strict';
import {
  checkBuildPrune, checkContainerCreate, checkContainerInspect, checkEvent, checkExecCreate, checkExecInspect, checkImageDelete, DockerLevelsError,
} from '../../src/core';

/** The parts of a real dockerd 20.10 inspect answer that Docker Levels reads (trimmed from the bed's dl-bed-tls). */
const realInspect = () => ({
  Id: 'a'.repeat(64), Name: '/dl-bed-tls', State: { Status: 'running', Running: true, Paused: false },
  Config: { Hostname: 'aaaaaaaaaaaa', Env: ['DOCKER_TLS_CERTDIR=/certs'], Labels: { 'docker-levels.dind': 'true' }, ExposedPorts: { '2376/tcp': {} }, Image: 'x' },
  HostConfig: { NetworkMode: 'default' },
  NetworkSettings: { Ports: { '2375/tcp': null, '2376/tcp': [{ HostIp: '127.0.0.1', HostPort: '32793' }] }, Networks: { bridge: { IPAddress: '172.17.0.3' } } },
});

const notTheApi = (pattern: RegExp) => (e: unknown) => e instanceof DockerLevelsError && e.kind === 'notADaemon' && pattern.test(e.message);

describe('engine shapes (unit): inspect answers and events from a level that lies', () => {
  it('takes a real container inspect answer as it is', () => {
    const body = realInspect();
    assert.equal(checkContainerInspect(body, 'level x'), body);
  });

  it('refuses an inspect answer whose parts have other types, saying which', () => {
    const cases: [(b: ReturnType<typeof realInspect>) => void, RegExp][] = [
      [(b) => { (b as Record<string, unknown>).Id = 7; }, /Id is not a container ID/],
      [(b) => { (b.State as Record<string, unknown>).Running = 'yes'; }, /State is not a container state/],
      [(b) => { (b.Config as Record<string, unknown>).Env = 'PORT=2375'; }, /Env is not a list of strings/],
      [(b) => { (b.Config as Record<string, unknown>).Labels = { a: 1 }; }, /Labels are not a map of strings/],
      [(b) => { (b.NetworkSettings.Ports as Record<string, unknown>)['2376/tcp'] = [{ HostPort: 32793 }]; }, /port bindings/],
      [(b) => { (b.NetworkSettings.Networks.bridge as Record<string, unknown>).IPAddress = ['1.2.3.4']; }, /Networks/],
    ];
    for (const [spoil, pattern] of cases) {
      const body = realInspect();
      spoil(body);
      assert.throws(() => checkContainerInspect(body, 'level x'), notTheApi(pattern));
    }
    assert.throws(() => checkContainerInspect([realInspect()], 'level x'), notTheApi(/not an object/));
  });

  it('exec inspect: Running a boolean, ExitCode null or a number', () => {
    assert.deepEqual(checkExecInspect({ Running: false, ExitCode: 3 }, 'level x'), { Running: false, ExitCode: 3 });
    assert.deepEqual(checkExecInspect({ Running: true, ExitCode: null }, 'level x'), { Running: true, ExitCode: null });
    for (const bad of [{ Running: 'no', ExitCode: 0 }, { Running: false, ExitCode: '0' }, 'done', null]) {
      assert.throws(() => checkExecInspect(bad, 'level x'), notTheApi(/exec inspect/));
    }
  });

  it('events: a real one is read, one of the wrong shape is left out', () => {
    assert.deepEqual(checkEvent({ status: 'die', id: 'b'.repeat(64), Type: 'container', Action: 'die', Actor: { ID: 'b'.repeat(64), Attributes: {} }, time: 1796176211, timeNano: 1 }),
      { type: 'container', action: 'die', id: 'b'.repeat(64), time: 1796176211 });
    for (const bad of [[], 'die', { Action: 'die' }, { Action: 7, Actor: { ID: 'x' } }, { Action: 'die', Actor: { ID: 5 } }, { Action: 'die', id: 'x', time: 1e308 }, { Action: 'die', id: 'x', time: -1 }, { Action: 'die', id: 'x', Type: 7 }]) {
      assert.equal(checkEvent(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('engine shapes (unit): the answers to writes', () => {
  it('takes real answers as they are (dockerd 20.10: create, exec create, image delete, build prune)', () => {
    assert.deepEqual(checkContainerCreate({ Id: 'b'.repeat(64), Warnings: [] }, 'level x'), { id: 'b'.repeat(64), warnings: [] });
    assert.deepEqual(checkContainerCreate({ Id: 'b'.repeat(64), Warnings: null }, 'level x'), { id: 'b'.repeat(64), warnings: [] });
    assert.equal(checkExecCreate({ Id: 'c'.repeat(64) }, 'level x'), 'c'.repeat(64));
    assert.deepEqual(checkImageDelete([{ Untagged: 'busybox:latest' }, { Deleted: `sha256:${'d'.repeat(64)}` }], 'level x'),
      { untagged: ['busybox:latest'], deleted: [`sha256:${'d'.repeat(64)}`] });
    assert.deepEqual(checkBuildPrune({ CachesDeleted: null, SpaceReclaimed: 0 }, 'level x'), { spaceReclaimed: 0 });
  });

  it('refuses answers of other shapes, saying which', () => {
    assert.throws(() => checkContainerCreate({ Id: 'B'.repeat(64) }, 'level x'), notTheApi(/no 64-hex container ID/));
    assert.throws(() => checkContainerCreate({ Id: 'b'.repeat(12) }, 'level x'), notTheApi(/no 64-hex container ID/));
    assert.throws(() => checkContainerCreate({ Id: 'b'.repeat(64), Warnings: 'x' }, 'level x'), notTheApi(/Warnings are not a list/));
    assert.throws(() => checkExecCreate({ Id: '../x' }, 'level x'), notTheApi(/no exec ID/));
    assert.throws(() => checkExecCreate('c'.repeat(64), 'level x'), notTheApi(/no exec ID/));
    assert.throws(() => checkImageDelete({ Deleted: 'x' }, 'level x'), notTheApi(/not a list/));
    assert.throws(() => checkImageDelete([{ Deleted: 1 }], 'level x'), notTheApi(/not \{Untagged, Deleted\}/));
    assert.throws(() => checkBuildPrune({ SpaceReclaimed: -1 }, 'level x'), notTheApi(/not a byte count/));
    assert.throws(() => checkBuildPrune({ SpaceReclaimed: 1e300 }, 'level x'), notTheApi(/not a byte count/));
    assert.throws(() => checkBuildPrune([], 'level x'), notTheApi(/not an object/));
  });
});
