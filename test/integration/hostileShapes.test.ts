/**
 * A level is untrusted, for the newer answers Docker Levels reads: container and exec inspect,
 * events, a level's images/volumes/networks and /system/df, and container ports. Each lying
 * answer gives a clear error on that level or is left out: never a crash, never raw control
 * text. Against a FAKE daemon that lies (test/support/fakeLyingDaemon.ts, 127.0.0.1 only): a
 * real dockerd cannot be made to lie.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import {
  DaemonLevel, describePort, LevelForwarders, displayText, DockerLevelsError, endpointFromSetting, EventSubscription, ImpostorDaemonError, Levels,
  listLevelImages, listLevelNetworks, listLevelVolumes, readContainerPorts, readDiskUsage, runInContainer, silentLogger, snapshotDaemon,
  type ContainerEvent, type ObjectEvent, type SubscriptionState,
} from '../../src/core';
import { startFakeLyingDaemon, type FakeLevel, type LyingAnswers } from '../support/fakeLyingDaemon';
import { clearError, honestInspect, listed, OVERSIZE, RAW_CONTROL } from '../support/lyingChecks';

const HOSTILE = 'evil\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202egnp\nwarn [levels] forged';
const DIND = 'd'.repeat(64);
const PLAIN = 'e'.repeat(64);

describe('hostile levels: lying answers of the newer shapes (integration, fake daemon)', function () {
  this.timeout(120_000);
  let fake: FakeLevel | undefined;
  let levels: Levels | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => { process.off('unhandledRejection', onUnhandled); });

  async function rootOf(answers: LyingAnswers): Promise<DaemonLevel> {
    fake = await startFakeLyingDaemon(answers);
    levels = new Levels([endpointFromSetting({ url: fake.url })], { timeoutMs: 5000 });
    return levels.roots()[0];
  }

  afterEach(async () => {
    levels?.dispose();
    levels = undefined;
    await fake?.close();
    fake = undefined;
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
  });

  describe('container inspect', () => {
    const lies: [string, unknown, RegExp][] = [
      ['not an object', [1, 2], /the container inspect answer is not an object/],
      ['a State that is a string', honestInspect(DIND, { State: 'running' }), /its State is not a container state/],
      ['an Id that is a number', honestInspect(DIND, { Id: 42 }), /its Id is not a container ID/],
      ['Env that is not a list', honestInspect(DIND, { Config: { Hostname: 'x', Env: HOSTILE } }), /its Config Env is not a list of strings/],
    ];
    for (const [what, body, pattern] of lies) {
      it(`${what}: opening the level is an error that says so`, async () => {
        const root = await rootOf({ containers: [listed(DIND, 'dind', 'docker:dind')], routes: [{ match: /^GET \/containers\/d+\/json/, body }] });
        await assert.rejects(levels!.openLevel(root, DIND), clearError(pattern));
      });
    }

    it('an oversize answer is cut at the cap, and the walk lists the lying level with an error and its sibling as it is', async () => {
      const root = await rootOf({
        containers: [listed(DIND, 'dind', 'docker:dind'), listed(PLAIN, 'harmless', 'busybox')],
        routes: [{ match: /^GET \/containers\/d+\/json/, body: 'huge' }], hugeBytes: 256 * 1024 ** 2,
      });
      await assert.rejects(levels!.openLevel(root, DIND), clearError(OVERSIZE));
      assert.ok(fake!.hugeSent() < 200 * 1024 ** 2, `the fake sent ${fake!.hugeSent()} bytes before the client hung up`);
      const snap = await snapshotDaemon(levels!, root, { depth: 2 }) as unknown as { containers: { name: string; level: { error: string | null } | null }[] };
      assert.deepEqual(snap.containers.map((c) => c.name).sort(), ['dind', 'harmless']);
      const dind = snap.containers.find((c) => c.name === 'dind')!;
      assert.match(String(dind.level?.error), OVERSIZE);
      assert.equal(snap.containers.find((c) => c.name === 'harmless')!.level, null);
    });

    it('hostile text in an answer that is refused reaches the message only as visible escapes', async () => {
      const root = await rootOf({
        containers: [listed(DIND, 'dind', 'docker:dind')],
        routes: [{ match: /^GET \/containers\/d+\/json/, body: honestInspect(DIND, { Name: `/${HOSTILE}`, State: { Running: false, Status: HOSTILE } }) }],
      });
      await assert.rejects(levels!.openLevel(root, DIND), (e: unknown) => {
        assert.ok(e instanceof DockerLevelsError);
        assert.doesNotMatch(e.userMessage, RAW_CONTROL);
        assert.match(e.message, /evil\\x1b\]0;pwned\\x07/);
        assert.doesNotMatch(e.message, /\n/, 'one line: no forged log line');
        return true;
      });
    });
  });

  describe('exec inspect', () => {
    const execRoutes = (inspect: unknown) => [
      { match: /^GET \/containers\/e+\/json/, body: honestInspect(PLAIN) },
      { match: /^POST \/containers\/e+\/exec/, status: 201, body: { Id: 'fakeexec1' } },
      { match: /^GET \/exec\/fakeexec1\/json/, body: inspect },
    ];
    const lies: [string, unknown, RegExp][] = [
      ['an exit code that is a string', { Running: false, ExitCode: 'abc' }, /the exec inspect answer has no Running state or a non-numeric ExitCode/],
      ['an exit code of 1e308', { Running: false, ExitCode: 1e308 }, /the exit code 1e\+308 is not an integer from 0 to 255/],
      ['a negative exit code', { Running: false, ExitCode: -1 }, /the exit code -1 is not an integer from 0 to 255/],
      ['Running that is a string', { Running: 'no', ExitCode: 0 }, /the exec inspect answer has no Running state/],
      ['an answer that is a list', [0], /the exec inspect answer has no Running state/],
      ['an oversize answer', 'huge', OVERSIZE],
    ];
    for (const [what, inspect, pattern] of lies) {
      it(`${what}: the run is an error that says so`, async () => {
        const root = await rootOf({ containers: [listed(PLAIN, 'harmless', 'busybox')], routes: execRoutes(inspect), execOutput: `out ${HOSTILE}`, hugeBytes: 256 * 1024 ** 2 });
        await assert.rejects(runInContainer(root, PLAIN, ['true']), clearError(pattern));
      });
    }

    it('an honest answer on the same fake passes the code through (the fake itself is sound)', async () => {
      const root = await rootOf({ containers: [], routes: execRoutes({ Running: false, ExitCode: 3 }), execOutput: 'hello' });
      const r = await runInContainer(root, PLAIN, ['true']);
      assert.deepEqual([r.exitCode, r.stdout], [3, 'hello']);
    });
  });

  describe('events', () => {
    const valid = { Type: 'container', Action: 'start', Actor: { ID: 'f'.repeat(64) }, time: 1_700_000_000 };
    const validImage = { Type: 'image', Action: 'pull', Actor: { ID: 'sha256:abc' }, time: 1_700_000_001 };

    function subscribe(root: DaemonLevel) {
      const seen = { events: [] as ContainerEvent[], objects: [] as ObjectEvent[], states: [] as { state: SubscriptionState; error?: string }[] };
      const sub = new EventSubscription(root, {
        onEvent: (e) => seen.events.push(e), onObjectEvent: (e) => seen.objects.push(e),
        onState: (state, error) => seen.states.push({ state, error }), log: silentLogger, initialDelayMs: 60_000,
      });
      return { sub, seen };
    }

    it('events of the wrong shape are left out; the well-formed ones around them arrive', async () => {
      const lines = [
        'not json at all', '[1,2,3]', '"a string"', JSON.stringify({ Action: 5, Actor: { ID: 'x' } }), JSON.stringify({ Action: 'die', Actor: { ID: 7 } }),
        JSON.stringify({ ...valid, time: -5 }), JSON.stringify({ ...valid, time: 'soon' }), JSON.stringify({ ...valid, Type: ['container'] }),
        JSON.stringify({ Type: 'image', Action: { x: 1 }, Actor: { ID: 'i' } }), JSON.stringify(validImage), JSON.stringify(valid),
      ];
      const root = await rootOf({ routes: [{ match: /^GET \/events/, body: `${lines.join('\n')}\n`, keepOpen: true }] });
      const { sub, seen } = subscribe(root);
      try {
        await until('the last, well-formed event', () => seen.events.length > 0);
        assert.deepEqual(seen.events, [{ action: 'start', containerId: valid.Actor.ID, time: valid.time }]);
        assert.deepEqual(seen.objects, [{ type: 'image', action: 'pull', id: 'sha256:abc', time: validImage.time }]);
        assert.equal(sub.state, 'live', 'the stream stays up: a bad event is not a broken stream');
      } finally {
        sub.dispose();
      }
    });

    it('an endless event line is cut at the cap: the stream is dropped with a reason, nothing else', async () => {
      const root = await rootOf({ routes: [{ match: /^GET \/events/, body: `{"Action":"${'x'.repeat(3 * 1024 * 1024)}`, keepOpen: true }] });
      const { sub, seen } = subscribe(root);
      try {
        const dropped = await until('the stream to drop', () => seen.states.find((s) => s.state === 'reconnecting'));
        assert.match(String(dropped.error), /an event line longer than 1048576 bytes/);
        assert.deepEqual(seen.events, []);
      } finally {
        sub.dispose();
      }
    });
  });

  describe('a level\'s images, volumes, networks and disk use', () => {
    const image = { Id: 'sha256:' + 'a'.repeat(64), RepoTags: [`${HOSTILE}:latest`], RepoDigests: [], Created: 1, Size: 10, Labels: {} };
    const volume = { Name: HOSTILE, Driver: 'local', Mountpoint: '/x', Labels: {}, Scope: 'local' };
    const network = { Id: 'b'.repeat(64), Name: HOSTILE, Driver: 'bridge', Scope: 'local', Internal: false, Labels: {} };

    it('entries of the wrong type are left out and counted; the good ones stay, their text kept as data', async () => {
      const root = await rootOf({
        routes: [
          { match: /^GET \/images\/json/, body: [image, { ...image, Id: 7 }, { ...image, Size: 'big' }, 'nope'] },
          { match: /^GET \/volumes/, body: { Volumes: [volume, { ...volume, Name: ['x'] }, null] } },
          { match: /^GET \/networks/, body: [network, { ...network, Id: HOSTILE }, { ...network, Internal: 'yes' }] },
        ],
      });
      const images = await listLevelImages(root);
      assert.deepEqual(images.items.map((i) => i.tags), [[`${HOSTILE}:latest`]]);
      assert.equal(images.leftOut.length, 3);
      const volumes = await listLevelVolumes(root);
      assert.deepEqual(volumes.items.map((v) => v.name), [HOSTILE]);
      assert.equal(volumes.leftOut.length, 2);
      const networks = await listLevelNetworks(root);
      assert.deepEqual(networks.items.map((n) => n.id), [network.Id]);
      assert.equal(networks.leftOut.length, 2);
      for (const problem of [...images.leftOut, ...volumes.leftOut, ...networks.leftOut]) assert.doesNotMatch(problem, RAW_CONTROL, problem);
      assert.match(networks.leftOut.join(' | '), /network 2 of 3 \(evil\\x1b/, 'the lying ID is named, escaped');
    });

    it('a listing that is not a list, and an oversize one, are errors on that level', async () => {
      const root = await rootOf({
        routes: [
          { match: /^GET \/images\/json/, body: { Id: 'not a list' } },
          { match: /^GET \/volumes/, body: [volume] },
          { match: /^GET \/networks/, body: 'huge' },
          { match: /^GET \/system\/df/, body: { Images: 'many', Containers: [], Volumes: [] } },
        ],
        hugeBytes: 256 * 1024 ** 2,
      });
      await assert.rejects(listLevelImages(root), clearError(/the image list is not a list/));
      await assert.rejects(listLevelVolumes(root), clearError(/the volume listing is not an object/));
      await assert.rejects(listLevelNetworks(root), clearError(OVERSIZE));
      await assert.rejects(readDiskUsage(root), clearError(/answered a disk use \(\/system\/df\) that is not the Docker Engine API/));
    });

    it('a /system/df with hostile text or an oversize body is an error that says so, escaped', async () => {
      const root = await rootOf({ routes: [{ match: /^GET \/system\/df/, body: { Images: [{ Id: HOSTILE, Size: 'x' }], Containers: [], Volumes: [] } }] });
      await assert.rejects(readDiskUsage(root), clearError(/\/system\/df/));
      await fake!.close();
      levels!.dispose();
      const big = await rootOf({ routes: [{ match: /^GET \/system\/df/, body: 'huge' }], hugeBytes: 256 * 1024 ** 2 });
      await assert.rejects(readDiskUsage(big), clearError(OVERSIZE));
    });
  });

  describe('container ports', () => {
    it('bindings of the wrong shape are left out; the valid ports stay, their host text shown escaped', async () => {
      const root = await rootOf({
        routes: [{
          match: /^GET \/containers\/e+\/json/,
          body: honestInspect(PLAIN, {
            Config: { Hostname: 'x', ExposedPorts: { '80/tcp': {}, 'garbage': {}, '99999/tcp': {}, '53/udp': {}, [HOSTILE]: {} } },
            NetworkSettings: { Ports: {
              '80/tcp': [{ HostIp: HOSTILE, HostPort: '8080' }, { HostIp: '0.0.0.0', HostPort: '70000' }, { HostIp: 1, HostPort: '1' }, 'x'],
              '443/tcp': 'not a list', '-1/tcp': [{ HostIp: '0.0.0.0', HostPort: '1' }],
            } },
          }),
        }],
      });
      const ports = await readContainerPorts(root, PLAIN);
      assert.deepEqual(ports.map((p) => `${p.port}/${p.protocol}`).sort(), ['443/tcp', '53/udp', '80/tcp']);
      const web = ports.find((p) => p.port === 80)!;
      assert.deepEqual(web.published.map((b) => b.hostPort), [8080]);
      assert.doesNotMatch(describePort(web), RAW_CONTROL);
      assert.equal(describePort(web), `80/tcp → ${displayText(HOSTILE, 64)}:8080`);
    });

    it('an inspect answer that is not an object gives no ports; an oversize one is an error', async () => {
      const root = await rootOf({ routes: [{ match: /^GET \/containers\/e+\/json/, body: '"a string"' }] });
      assert.deepEqual(await readContainerPorts(root, PLAIN), []);
      await fake!.close();
      levels!.dispose();
      const big = await rootOf({ routes: [{ match: /^GET \/containers\/e+\/json/, body: 'huge' }], hugeBytes: 256 * 1024 ** 2 });
      await assert.rejects(readContainerPorts(big, PLAIN), clearError(OVERSIZE));
    });
  });

  describe('a level\'s identity', () => {
    it('is pinned at first contact: a later other /info is an impostor error, and the level keeps the identity it was opened with', async () => {
      const root = await rootOf({ inventLevels: 1 });
      const [entry] = await root.listContainers();
      const level = await levels!.openLevel(root, entry.Id);
      const pinned = await level.identity();
      assert.equal((await level.info()).ID, pinned.id, 'the same daemon answers the same');

      fake!.reidentify();
      await assert.rejects(level.info(), (e: unknown) => {
        assert.ok(e instanceof ImpostorDaemonError, String(e));
        assert.match(e.message, /now answers as another daemon \(ID FAKE:[0-9a-f]{12}:[0-9a-f]+…?, host name "[0-9a-f]{12}"\), not the one it was opened with/);
        return true;
      });
      assert.deepEqual(await level.identity(), pinned, 'the impostor\'s answer did not replace the identity');
      // A root is whatever answers at the endpoint the user configured: it follows its answer.
      const before = (await root.identity()).id;
      const now = (await root.info()).ID;
      assert.notEqual(now, before);
      assert.equal((await root.identity()).id, now);
    });

    it('levels still opening count toward the budget, so opens in parallel cannot pass it', async () => {
      const root = await rootOf({ inventLevels: 3 });
      const entries = await root.listContainers();
      assert.equal(levels!.levelsUnderRoot(root), 0);
      const opening = entries.map((e) => levels!.openLevel(root, e.Id));
      assert.equal(levels!.levelsUnderRoot(root), 3, 'counted as soon as they start opening');
      await Promise.all(opening);
      assert.equal(levels!.levelsUnderRoot(root), 3, 'counted once when open');
    });

    it('a forwarder stopped by an impostor tells its owner why; one stopped on purpose tells nothing', async () => {
      const root = await rootOf({});
      const told: DockerLevelsError[] = [];
      const forwarders = new LevelForwarders(undefined, (reason) => told.push(reason));
      try {
        const forwarder = await forwarders.forward(root);
        assert.equal(await statusVia(forwarder.socketPath), 200);
        fake!.reidentify();
        assert.equal(await statusVia(forwarder.socketPath), 502);
        await until('the forwarder to stop', () => forwarders.list().length === 0);
        assert.equal(told.length, 1);
        assert.ok(told[0] instanceof ImpostorDaemonError);
        assert.match(told[0].message, /now answers as another daemon .* the forwarder stopped/);
        const again = await forwarders.forward(root);
        await again.stop();
        assert.equal(told.length, 1, 'a stop on purpose is not a reason to tell');
      } finally {
        forwarders.dispose();
      }
    });
  });
});

/** The status of one GET /_ping over a forwarder's socket, on a fresh connection. */
function statusVia(socketPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, agent: false, path: '/_ping' }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never saw ${what}`);
}
