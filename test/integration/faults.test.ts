/**
 * Faults injected for real into a nested chain of our own (never the shared bed):
 *
 *   local daemon ─ dl-fault-a (level 1, TLS on 127.0.0.1) ─┬─ dl-fault-b (level 2, TLS, exec tunnel) ─ dl-fault-b-leaf
 *                │                                         ├─ dl-fault-c (level 2, dockerd in the background, exec tunnel)
 *                │                                         └─ dl-fault-p (level 2, PORT 2375 published on a's addresses)
 *                └─ dl-fault-s (level 1, TLS on 127.0.0.1)
 *
 * plus a black-hole TCP listener and a second dockerd of our own. For each fault: the affected
 * node reports the failure within the connect timeout, siblings and other levels keep working,
 * event streams reconnect, the node recovers when the daemon is back, no promise rejection goes
 * unhandled, and nothing is left running once the registry is disposed.
 */
import * as assert from 'node:assert/strict';
import {
  endpointFromSetting, Levels, openExecSession, removeContainer, resolveLocalEndpoint, snapshotDaemon, changeContainerState, copyImage,
} from '../../src/core';
import {
  activeResources, collectGarbage, containersIn, DIND_IMAGE, dockerIn, emptyStalePidFiles, ensureImage, FAULT_TIMEOUT_MS, faultLevels, faultName,
  LEAF_IMAGE, MadeContainer, openLevelPath, OwnDockerd, ownRoot, removeAll, REPORT_BOUND_MS, sleep,
  startFaultLevel, timed, waitFor, watched,
} from './faultBed';
import { assertAnswering, assertReported, BlackHole, CHAIN, child, EventLog, idsToNames, startFaultChain, touch } from './faultChecks';

const { A, S, B, C, P, LEAF } = CHAIN;

describe('faults: dead, hanging and cut-off daemons (integration)', function () {
  this.timeout(300_000);
  let leaf: MadeContainer;

  before(async function () {
    this.timeout(600_000);
    leaf = await startFaultChain();
  });

  after(async function () {
    this.timeout(120_000);
    // Unpause and drop rules in case a test failed half-way; removing a level removes everything below it.
    try { dockerIn([], ['unpause', S]); } catch { /* not paused */ }
    await removeAll([A, S]);
    assert.deepEqual([...containersIn([]).values()].filter((n) => n === A || n === S), [], 'nothing of ours is left on the host');
  });

  it('a level-2 container killed while its subtree is open: reported in bound, siblings work, the tree reopens it when it runs again', () => watched(async (levels) => {
    const root = levels.roots()[0];
    const [a, s, b, c, p] = await Promise.all([[A], [S], [A, B], [A, C], [A, P]].map((chain) => openLevelPath(levels, chain)));
    assert.equal(b.transport.kind, 'tunnel');
    assert.equal(p.transport.kind, 'published');
    // Open subtree: b's tree, a running exec session in b's leaf, event streams of b and p.
    assert.ok(child(child(await snapshotDaemon(levels, a), B).level!, LEAF));
    const bEvents = new EventLog(b);
    const pEvents = new EventLog(p);
    const session = await openExecSession(b, leaf.id, { cmd: ['sh', '-c', 'while :; do echo tick; sleep 0.2; done'] });
    const later: EventLog[] = [];
    try {
      let out = '';
      session.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
      await Promise.all([bEvents.live(), pEvents.live(), waitFor(() => out.includes('tick'), 20_000, 'exec output')]);

      dockerIn([A], ['kill', B, P]);

      for (const [dead, name] of [[b, B], [p, P]] as const) {
        assertReported(await timed(dead.listContainers()), `listing ${name}`, ['unreachable'], /not running|Cannot reach/);
      }
      const exit = await timed(session.exitCode);
      assert.ok(exit.ms < REPORT_BOUND_MS, `the exec session in the killed level ended in ${exit.ms} ms`);
      const tree = await timed(snapshotDaemon(levels, a));
      assert.ok(tree.ms < REPORT_BOUND_MS, `the tree of ${A} took ${tree.ms} ms`);
      assert.equal(child(tree.value!, B).state, 'exited');
      assert.equal(child(tree.value!, P).state, 'exited');
      assert.equal(child(tree.value!, C).level?.error, null, 'the sibling level is untouched');
      await assertAnswering([root, a, c, s]);
      // The tree saw them stop and closed their levels: clients, tunnels and their event streams.
      assert.ok(b.isDisposed && p.isDisposed, 'the levels of stopped containers are closed');
      await waitFor(() => bEvents.sub.state === 'closed' && pEvents.sub.state === 'closed', REPORT_BOUND_MS, 'their event streams to end');

      // Test image only (see emptyStalePidFiles): docker:dind clears these itself.
      await Promise.all([emptyStalePidFiles([A], B), emptyStalePidFiles([A], P)]);
      dockerIn([A], ['start', B, P]);
      await waitFor(async () => {
        const snap = await snapshotDaemon(levels, a);
        const [bNow, pNow] = [child(snap, B), child(snap, P)];
        if (bNow.level?.error === null && pNow.level?.error === null) return true;
        throw new Error(`${B}: ${bNow.state} ${bNow.level?.error}; ${P}: ${pNow.state} ${pNow.level?.error}`);
      }, 90_000, 'both levels to answer again in the tree', 1000);
      // Reopened afresh: p got a new published port when it started again.
      const [b2, p2] = await Promise.all([openLevelPath(levels, [A, B]), openLevelPath(levels, [A, P])]);
      assert.notEqual(p2.transport.address, p.transport.address);
      assert.deepEqual(idsToNames(await b2.listContainers()), containersIn([A, B]));
      assert.deepEqual(idsToNames(await p2.listContainers()), containersIn([A, P]));
      later.push(new EventLog(b2), new EventLog(p2));
      await Promise.all(later.map((e) => e.live()));
      await Promise.all([later[0].sees(touch([A, B])), later[1].sees(touch([A, P]))]);
    } finally {
      session.dispose();
      for (const e of [bEvents, pEvents, ...later]) e.dispose();
    }
  }));

  it('only the dockerd inside a level killed through exec: reported as a daemon failure (not a plain container), restarted through exec, it recovers', () => watched(async (levels) => {
    const [a, b, p, s, c] = await Promise.all([[A], [A, B], [A, P], [S], [A, C]].map((chain) => openLevelPath(levels, chain)));
    const cEvents = new EventLog(c);
    try {
      await cEvents.live();
      dockerIn([A], ['exec', C, 'sh', '-c', 'kill -9 "$(cat /var/run/docker.pid)"']);

      assertReported(await timed(c.listContainers()), `listing ${C}`, ['notADaemon', 'unreachable'], /daemon/i);
      assert.equal(dockerIn([A], ['inspect', '-f', '{{.State.Status}}', C]).trim(), 'running', 'the container itself runs on');
      const tree = await timed(snapshotDaemon(levels, a));
      assert.ok(tree.ms < REPORT_BOUND_MS, `the tree took ${tree.ms} ms`);
      assert.equal(child(tree.value!, C).state, 'running');
      assert.match(child(tree.value!, C).level?.error ?? '', /daemon/i, 'a level whose daemon died is an error in the tree, not a plain container');
      // A registry that never saw it working says the same.
      const fresh = faultLevels();
      try {
        const freshTree = await snapshotDaemon(fresh, await openLevelPath(fresh, [A]));
        assert.match(child(freshTree, C).level?.error ?? '', /daemon/i);
      } finally {
        fresh.dispose();
      }
      await assertAnswering([a, b, p, s]);
      await waitFor(() => cEvents.states.includes('reconnecting'), REPORT_BOUND_MS, 'the stream to notice');

      // The killed dockerd's containerd is a zombie (tail, PID 1, reaps nothing) that its pid file still names.
      dockerIn([A], ['exec', '-d', C, 'sh', '-c',
        'rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid; exec dockerd --host=unix:///var/run/docker.sock >>/var/log/dockerd-restarted.log 2>&1']);
      await waitFor(async () => { await c.ping(); return true; }, 60_000, `the daemon in ${C} to answer again`, 500);
      assert.equal(child(await snapshotDaemon(levels, a), C).level?.error, null);
      assert.deepEqual(idsToNames(await c.listContainers()), containersIn([A, C]));
      await cEvents.live();
      await cEvents.sees(touch([A, C]));
    } finally {
      cEvents.dispose();
    }
  }));

  it('a paused level container: its daemon hangs, calls end with a timeout in bound, others work, unpause recovers', () => watched(async (levels) => {
    const root = levels.roots()[0];
    const [a, s, b, c] = await Promise.all([[A], [S], [A, B], [A, C]].map((chain) => openLevelPath(levels, chain)));
    assert.equal(s.transport.kind, 'tls');
    const sEvents = new EventLog(s);
    const bEvents = new EventLog(b);
    try {
      await Promise.all([sEvents.live(), bEvents.live()]);

      // Level 1 over TLS: the connection is accepted (docker-proxy, the kernel) and never answered.
      dockerIn([], ['pause', S]);
      try {
        const e = assertReported(await timed(s.listContainers()), `listing ${S}`, ['timeout'], /did not answer within 3000 ms/);
        assert.match(e.hint!, /paused/);
        const snap = await timed(snapshotDaemon(levels, s));
        assert.ok(snap.ms < REPORT_BOUND_MS);
        assert.match(snap.value!.error ?? '', /did not answer/);
        assert.equal(child(await snapshotDaemon(levels, root, { depth: 0 }), S).state, 'paused');
        await assertAnswering([root, a, b, c]);
      } finally {
        dockerIn([], ['unpause', S]);
      }
      await assertAnswering([s]);
      assert.equal((await snapshotDaemon(levels, s)).error, null);
      await sEvents.live();
      await sEvents.sees(touch([S]));

      // Level 2 through the exec tunnel: the parent daemon answers for it.
      dockerIn([A], ['pause', B]);
      try {
        assertReported(await timed(b.listContainers()), `listing ${B}`, ['timeout', 'unreachable'], /paused/);
        await assertAnswering([a, c, s]);
      } finally {
        dockerIn([A], ['unpause', B]);
      }
      await waitFor(async () => { await b.ping(); return true; }, 20_000, `${B} to answer again`, 500);
      await bEvents.live();
      await bEvents.sees(touch([A, B]));
    } finally {
      sEvents.dispose();
      bEvents.dispose();
    }
  }));

  it('a TCP endpoint that accepts and never answers: a timeout in bound, no piling up of connections, it recovers when it answers', async () => {
    const hole = await BlackHole.start();
    try {
      const dark = endpointFromSetting({ name: 'black-hole', url: `tcp://127.0.0.1:${hole.port}` });
      await watched(async (levels) => {
        const [local, darkRoot] = levels.roots();
        const events = new EventLog(darkRoot);
        try {
          const [ok, bad] = await Promise.all([timed(snapshotDaemon(levels, local, { depth: 0 })), timed(snapshotDaemon(levels, darkRoot))]);
          assert.equal(ok.value?.error, null, 'the other root works meanwhile');
          assert.ok(bad.ms < REPORT_BOUND_MS, `the black hole was reported after ${bad.ms} ms`);
          assert.match(bad.value?.error ?? '', /did not answer within 3000 ms.*paused/);
          assertReported(await timed(darkRoot.ping()), 'ping of the black hole', ['timeout'], /did not answer/);
          // The stream keeps retrying; each attempt that timed out is given up, not left open.
          const until = Date.now() + 4 * FAULT_TIMEOUT_MS;
          let most = 0;
          while (Date.now() < until) {
            most = Math.max(most, hole.open);
            await sleep(100);
          }
          assert.ok(events.states.filter((s) => s === 'reconnecting').length >= 2, `retries: ${events.states.join(', ')}`);
          assert.ok(most <= 2, `at most 2 connections open at once while retrying, saw ${most}`);

          hole.answer();
          await waitFor(async () => (await snapshotDaemon(levels, darkRoot, { depth: 0 })).error === null, 30_000, 'the endpoint to answer', 500);
          assert.equal((await darkRoot.info()).Name, (await local.info()).Name);
          await events.live();
          await events.sees(touch([]));
        } finally {
          events.dispose();
        }
      }, [resolveLocalEndpoint(), dark]);
      await waitFor(() => hole.open === 0, 10_000, 'every connection to the endpoint to be closed by the client');
    } finally {
      await hole.close();
    }
  });

  it('traffic between two levels dropped by iptables inside the parent\'s namespace: the route that crosses it times out in bound, the tunnel does not cross it, removing the rule recovers', () => watched(async (levels) => {
    const root = levels.roots()[0];
    const [a, b, c, s, p] = await Promise.all([[A], [A, B], [A, C], [S], [A, P]].map((chain) => openLevelPath(levels, chain)));
    assert.equal(p.transport.kind, 'published');
    const tunnels = new Levels([resolveLocalEndpoint()], { timeoutMs: FAULT_TIMEOUT_MS, transportOrder: ['tls', 'tunnel'] });
    const pEvents = new EventLog(p);
    try {
      const pByTunnel = await openLevelPath(tunnels, [A, P]);
      assert.equal(pByTunnel.transport.kind, 'tunnel');
      await pEvents.live();
      // Host → a's address:published port is DNATed inside a to p's address:2375 and forwarded: DOCKER-USER sees it first.
      const pIp = dockerIn([A], ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', P]).trim();
      const rule = ['DOCKER-USER', '-d', pIp, '-p', 'tcp', '--dport', '2375', '-j', 'DROP'];
      dockerIn([], ['exec', A, 'iptables', '-I', ...rule]);
      try {
        assertReported(await timed(p.listContainers()), `listing ${P} over ${p.transport.address}`, ['timeout'], /did not answer/);
        const tree = await timed(snapshotDaemon(levels, a));
        assert.ok(tree.ms < REPORT_BOUND_MS, `the tree took ${tree.ms} ms`);
        assert.match(child(tree.value!, P).level?.error ?? '', /did not answer/);
        assert.equal(child(tree.value!, B).level?.error, null);
        // The exec tunnel goes through a's API and a pipe into p, never through p's network namespace.
        assert.deepEqual(idsToNames(await pByTunnel.listContainers()), containersIn([A, P]));
        await assertAnswering([root, a, b, c, s]);
        // The event stream over the cut route is silent, not closed: TCP keepalive probes (1 s here,
        // then 10 probes a second apart) find it dead without a single request.
        await waitFor(() => pEvents.states.includes('reconnecting'), 30_000, 'the silent event stream to be noticed');
      } finally {
        dockerIn([], ['exec', A, 'iptables', '-D', ...rule]);
      }
      await waitFor(async () => { await p.ping(); return true; }, 30_000, `${P} to answer over its published route`, 500);
      assert.equal(child(await snapshotDaemon(levels, a), P).level?.error, null);
      await pEvents.live();
      await pEvents.sees(touch([A, P]));
    } finally {
      pEvents.dispose();
      tunnels.dispose();
    }
  }));

  describe('the root dockerd restarted (a second dockerd of our own, with --live-restore)', () => {
    let own: OwnDockerd | undefined;
    const R = faultName('r');

    before(async function () {
      this.timeout(300_000);
      own = await OwnDockerd.start('restart', { args: ['--live-restore'] });
      const levels = new Levels([resolveLocalEndpoint(), ownRoot(own)], { timeoutMs: 30_000 });
      try {
        const [local, mine] = levels.roots();
        await copyImage(local, mine, DIND_IMAGE);
        await copyImage(local, mine, LEAF_IMAGE);
        const r = await startFaultLevel(levels, mine, 'r');
        await ensureImage(r.level, LEAF_IMAGE);
      } finally {
        levels.dispose();
      }
    });

    after(async function () {
      this.timeout(120_000);
      await own?.destroy();
    });

    it('the root reports in bound, other roots and levels work, streams reconnect, the root and its live-restored level recover', async () => {
      const mine = ownRoot(own!);
      await watched(async (levels) => {
        const [local, ownLevel] = levels.roots();
        const r = await openLevelPath(levels, [R], 0, ownLevel);
        const [a, s] = await Promise.all([[A], [S]].map((chain) => openLevelPath(levels, chain)));
        const rootEvents = new EventLog(ownLevel);
        const rEvents = new EventLog(r);
        try {
          await Promise.all([rootEvents.live(), rEvents.live()]);

          await own!.stop();
          assertReported(await timed(ownLevel.listContainers()), 'listing our dockerd', ['unreachable'], /Cannot reach/);
          const snap = await timed(snapshotDaemon(levels, ownLevel));
          assert.ok(snap.ms < REPORT_BOUND_MS);
          assert.match(snap.value!.error ?? '', /Cannot reach daemon/);
          assertReported(await timed(r.listContainers()), `listing ${R}`, ['unreachable'], /Cannot reach/);
          await assertAnswering([local, a, s]);
          await waitFor(() => rootEvents.states.includes('reconnecting') && rEvents.states.includes('reconnecting'), REPORT_BOUND_MS, 'the streams to notice');

          await own!.start();
          await waitFor(async () => {
            const tree = await snapshotDaemon(levels, ownLevel);
            return tree.error === null && child(tree, R).level?.error === null;
          }, 60_000, 'our dockerd and its level to answer again', 500);
          assert.deepEqual(idsToNames(await r.listContainers()), containersIn([R], { host: own!.url }));
          await Promise.all([rootEvents.live(), rEvents.live()]);
          await Promise.all([rootEvents.sees(touch([], own!.url)), rEvents.sees(touch([R], own!.url))]);
        } finally {
          rootEvents.dispose();
          rEvents.dispose();
        }
      }, [resolveLocalEndpoint(), mine]);
    });
  });

  describe('soak: containers churned at level 2 while the tree is live', () => {
    it('heap and handles stay flat, no event is lost, and the tree equals the docker CLI at every level', () => watched(async (levels) => {
      const a = await openLevelPath(levels, [A]);
      const b = await openLevelPath(levels, [A, B]);
      const events = new EventLog(b);
      let snapshots = 0;
      let snapshotErrors = 0;
      let churning = true;
      const snapshotLoop = (async () => {
        while (churning) {
          const snap = await snapshotDaemon(levels, a);
          snapshots++;
          if (child(snap, B).level?.error) snapshotErrors++;
          await sleep(500);
        }
      })();
      const made: string[] = [];
      let cycles = 0;
      let warm: { heap: number; resources: Map<string, number> } | undefined;
      const started = Date.now();
      const deadline = started + 60_000;
      const worker = async (w: number) => {
        while (Date.now() < deadline && cycles < 200) {
          const n = cycles++;
          const created = await b.call('Creating container', (sig) => b.docker.createContainer({ name: faultName(`soak-${w}-${n}`), Image: LEAF_IMAGE, abortSignal: sig } as never));
          made.push(created.id);
          await changeContainerState(b, created.id, 'start');
          await changeContainerState(b, created.id, 'stop');
          await removeContainer(levels, b, created.id);
          if (cycles === 20 && !warm) {
            collectGarbage();
            warm = { heap: process.memoryUsage().heapUsed, resources: activeResources() };
          }
        }
      };
      try {
        await events.live();
        await Promise.all([worker(0), worker(1)]);
        collectGarbage();
        const end = { heap: process.memoryUsage().heapUsed, resources: activeResources() };
        const seconds = Math.round((Date.now() - started) / 1000);
        console.log(`      soak: ${cycles} containers in ${seconds} s, ${snapshots} snapshots, heap ${(warm!.heap / 1e6).toFixed(1)} → ${(end.heap / 1e6).toFixed(1)} MB`);
        assert.ok(cycles >= 40, `only ${cycles} cycles`);
        assert.equal(snapshotErrors, 0, 'no snapshot of level 2 failed during the churn');
        assert.ok(end.heap - warm!.heap < 24e6, `heap grew by ${((end.heap - warm!.heap) / 1e6).toFixed(1)} MB`);
        for (const [kind, n] of end.resources) {
          assert.ok(n <= (warm!.resources.get(kind) ?? 0) + 2, `${kind}: ${warm!.resources.get(kind) ?? 0} after warm-up, ${n} at the end`);
        }
        await waitFor(() => made.every((id) => events.events.some((e) => e.containerId === id && e.action === 'destroy')), 30_000, 'every destroy event');
      } finally {
        churning = false;
        await snapshotLoop;
        events.dispose();
      }
      // The tree at every level of ours equals what the docker CLI lists there.
      const tree = await snapshotDaemon(levels, levels.roots()[0]);
      const ours = new Map([...containersIn([])].filter(([, name]) => name.endsWith(`-${process.pid}`)));
      assert.deepEqual(new Map(tree.containers.filter((x) => ours.has(x.id)).map((x) => [x.id, x.name])), ours);
      for (const chain of [[A], [S], [A, B], [A, C], [A, P]]) {
        let d = tree;
        for (const name of chain) d = child(d, name).level!;
        assert.equal(d.error, null, `${chain.join('/')} answers`);
        assert.deepEqual(new Map(d.containers.map((x) => [x.id, x.name])), containersIn(chain), `containers in ${chain.join('/')}`);
      }
    }));
  });
});
