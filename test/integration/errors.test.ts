import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { classifyError, DockerLevelsError, endpointFromSetting, jsonRequestFor, Levels, openExecSession, removeContainer, snapshotDaemon } from '../../src/core';
import { cli, dockerAt, newLevels, openBedLevel, theBed } from './testBed';

/** A loopback port with nothing listening: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('clear errors for bad input (integration)', () => {
  let levels: Levels;
  before(() => { levels = newLevels(); });
  after(() => levels.dispose());

  it('a malformed endpoint names the bad part, in the core and in the CLI', () => {
    assert.throws(() => endpointFromSetting({ url: 'tcp://127.0.0.1:notaport' }),
      (e: unknown) => e instanceof DockerLevelsError && e.kind === 'badInput' && /port "notaport"/.test(e.message));
    const r = cli(['tree', '--host', 'htp://127.0.0.1:2375']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /scheme "htp:\/\/" is not supported/);
  });

  it('a wrong port is reported as unreachable, within the timeout, as a daemon error not a crash', async () => {
    const port = await closedPort();
    const wrong = new Levels([endpointFromSetting({ url: `tcp://127.0.0.1:${port}` })], { timeoutMs: 3000 });
    try {
      const snap = await snapshotDaemon(wrong, wrong.roots()[0]);
      assert.match(snap.error ?? '', /Cannot reach .*ECONNREFUSED/);
      await assert.rejects(wrong.roots()[0].ping(), (e: unknown) => e instanceof DockerLevelsError && e.kind === 'unreachable');
    } finally {
      wrong.dispose();
    }
    const r = cli(['tree', '--host', `tcp://127.0.0.1:${port}`]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Cannot reach/);
  });

  it('an ssh:// endpoint reports a refused connection clearly (the system ssh, as the docker CLI runs it)', async () => {
    const port = await closedPort();
    const r = cli(['tree', '--host', `ssh://root@127.0.0.1:${port}`, '--timeout', '5000']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Cannot reach .*Connection refused/);
  });

  it('a container without a daemon is a plain container, not an error', async () => {
    const l1 = await openBedLevel(levels, 1);
    await assert.rejects(levels.openLevel(l1, theBed().web1.id),
      (e: unknown) => e instanceof DockerLevelsError && e.kind === 'notADaemon' && /No Docker daemon answers inside dl-bed-web1/.test(e.message));
  });

  it('exec into a stopped container says to start it', async () => {
    const l2 = await openBedLevel(levels, 2);
    const name = `dl-err-stopped-${process.pid}`;
    dockerAt([theBed().l1.name, theBed().l2.name], ['create', '--name', name, 'docker-levels-test/leaf:latest']);
    try {
      const id = (await l2.listContainers()).find((c) => c.Names[0] === `/${name}`)!.Id;
      await assert.rejects(openExecSession(l2, id, { cmd: ['true'] }),
        (e: unknown) => e instanceof DockerLevelsError && e.kind === 'conflict' && /is created, so nothing can run in it/.test(e.message) && /Start it first/.test(e.userMessage));
      await removeContainer(levels, l2, id);
      await assert.rejects(removeContainer(levels, l2, id),
        (e: unknown) => e instanceof DockerLevelsError && e.kind === 'notFound' && /already gone/.test(e.message));
    } finally {
      try { dockerAt([theBed().l1.name, theBed().l2.name], ['rm', '-f', name]); } catch { /* removed above */ }
    }
  });

  it('the lean read path reports a daemon error as dockerode does, and a cancel ends a hanging read at once', async () => {
    const l1 = await openBedLevel(levels, 1);
    const request = jsonRequestFor(l1.docker);
    const lean = await request('GET', '/containers/dl-no-such-container/json', { timeoutMs: 5000, what: 'Inspect' }).then(() => undefined, (e: unknown) => classifyError(e, l1.what));
    const viaDockerode = await l1.docker.getContainer('dl-no-such-container').inspect().then(() => undefined, (e: unknown) => classifyError(e, l1.what));
    assert.equal(lean?.kind, 'notFound');
    assert.equal(lean?.message, viaDockerode?.message);
    assert.match(lean!.message, /dl-no-such-container/);

    // A daemon that accepts and never answers (a real socket, the hang made for real).
    const sockets: net.Socket[] = [];
    let closed = 0;
    const server = net.createServer((s) => { sockets.push(s); s.resume(); s.on('close', () => closed++); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hanging = new Levels([endpointFromSetting({ url: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}` })], { timeoutMs: 60_000 });
    try {
      const cancel = new AbortController();
      setTimeout(() => cancel.abort(), 200);
      // 'cancelled', not 'timeout': the cancel ended it, not the 60 s deadline (a state, not a timing).
      await assert.rejects(hanging.roots()[0].listContainers(true, cancel.signal), (e: unknown) => e instanceof DockerLevelsError && e.kind === 'cancelled');
      // The close is an event: waited for, not slept on; then no second socket was opened.
      assert.equal(sockets.length, 1);
      await new Promise<void>((resolve, reject) => {
        if (closed === 1) return resolve();
        const t = setTimeout(() => reject(new Error('the cancelled request did not close its socket within 10 s')), 10_000);
        sockets[0].once('close', () => { clearTimeout(t); resolve(); });
      });
      assert.equal(sockets.length, 1);
      assert.equal(closed, 1, 'the cancelled request closed its socket');
    } finally {
      hanging.dispose();
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it('an unknown path segment lists what is there', () => {
    const r = cli(['exec', `${theBed().l1.name}/nope`, '--', 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No container "nope" on level dl-bed-l1\. It has: [\w.-]+/);
  });
});
