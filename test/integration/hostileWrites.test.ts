/**
 * A level is untrusted, for the answers to what Docker Levels asks a level to do: container
 * create/start/stop/remove, exec create and resize, image/volume/network remove, the build
 * cache prune, an archive put, and the progress streams of a pull and an image load. Each lying
 * answer is a clear error on that level: never a crash, never an unbounded read, never raw
 * control text. Against a FAKE daemon that lies (test/support/fakeLyingDaemon.ts, 127.0.0.1
 * only): a real dockerd cannot be made to lie.
 */
import * as assert from 'node:assert/strict';
import {
  changeContainerState, copyImage, DaemonLevel, DockerLevelsError, endpointFromSetting, Levels, openExecSession, removeContainer, removeImage,
  removeNetwork, removeVolume, runImage, runPrune, startLevel, writeContainerFile, type PrunePlan,
} from '../../src/core';
import { startFakeLyingDaemon, type FakeLevel, type LyingAnswers, type LyingRoute } from '../support/fakeLyingDaemon';
import { clearError, honestInspect, OVERSIZE, RAW_CONTROL, runCli } from '../support/lyingChecks';

const RUNNING = 'e'.repeat(64);
const CREATED = 'f'.repeat(64);
const IMAGE_ID = `sha256:${'a'.repeat(64)}`;
const HOSTILE = 'denied\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202egnp\nwarn [levels] forged';
const HUGE_BYTES = 256 * 1024 ** 2;

/** An answer that is cut at the cap: the fake is told to send 256 MiB and must have sent less. */
const huge = (match: RegExp): LyingRoute => ({ match, body: 'huge' });

describe('hostile levels: lying answers to writes (integration, fake daemon)', function () {
  this.timeout(120_000);
  let fake: FakeLevel | undefined;
  let levels: Levels | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => { process.off('unhandledRejection', onUnhandled); });

  async function rootOf(routes: LyingRoute[], extra: LyingAnswers = {}): Promise<DaemonLevel> {
    fake = await startFakeLyingDaemon({ hugeBytes: HUGE_BYTES, ...extra, routes: [{ match: /^GET \/containers\/e+\/json/, body: honestInspect(RUNNING) }, ...routes] });
    levels = new Levels([endpointFromSetting({ url: fake.url })], { timeoutMs: 10_000 });
    return levels.roots()[0];
  }

  /** How many requests the fake saw whose line matches. */
  const seen = (match: RegExp) => fake!.requests().filter((r) => match.test(r.line.replace(/^(\w+) \/v[\d.]+\//, '$1 /'))).length;
  /** Each of `answers` cut answers stopped near 64 MiB: the fake sent less than 100 MiB a piece. */
  const cutShort = (answers = 1) => assert.ok(fake!.hugeSent() < answers * 100 * 1024 ** 2,
    `the fake sent ${fake!.hugeSent()} bytes for ${answers} answers before the client hung up`);

  afterEach(async () => {
    levels?.dispose();
    levels = undefined;
    await fake?.close();
    fake = undefined;
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
  });

  describe('containers', () => {
    it('a create answer past the cap is an error on that level, and the read stops', async () => {
      const root = await rootOf([huge(/^POST \/containers\/create/)]);
      await assert.rejects(runImage(root, 'busybox'), clearError(OVERSIZE));
      cutShort();
      assert.equal(seen(/^POST \/containers\/create/), 1);
      assert.equal(seen(/\/start$/), 0, 'nothing is started after a refused create');
    });

    it('a create answer whose Id is not a 64-hex container ID is an error that says so', async () => {
      for (const Id of [42, 'abc', `${'0'.repeat(63)}/`, `${'0'.repeat(64)}\u001b[2J`]) {
        const root = await rootOf([{ match: /^POST \/containers\/create/, status: 201, body: { Id, Warnings: [] } }]);
        await assert.rejects(runImage(root, 'busybox'), clearError(/the create answer has no 64-hex container ID/));
        levels!.dispose();
        await fake!.close();
      }
      const root = await rootOf([{ match: /^POST \/containers\/create/, status: 201, body: { Id: CREATED, Warnings: HOSTILE } }]);
      await assert.rejects(runImage(root, 'busybox'), clearError(/the create answer's Warnings are not a list of strings/));
    });

    it('a start answer past the cap fails the run, and the created container is removed again', async () => {
      const root = await rootOf([
        { match: /^POST \/containers\/create/, status: 201, body: { Id: CREATED, Warnings: null } },
        huge(/^POST \/containers\/f+\/start/),
        { match: /^DELETE \/containers\/f+\?/, status: 204, body: '' },
      ]);
      await assert.rejects(runImage(root, 'busybox'), clearError(OVERSIZE));
      cutShort();
      assert.equal(seen(/^DELETE \/containers\/f+\?force=true&v=true$/), 1);
    });

    it('stop and remove answers past the cap are errors on that level', async () => {
      const root = await rootOf([huge(/^POST \/containers\/e+\/stop/), huge(/^DELETE \/containers\/e+/)]);
      await assert.rejects(changeContainerState(root, RUNNING, 'stop'), clearError(OVERSIZE));
      await assert.rejects(removeContainer(levels!, root, RUNNING), clearError(OVERSIZE));
      cutShort(2);
      assert.equal(seen(/^POST \/containers\/e+\/stop$/), 1);
      assert.equal(seen(/^DELETE \/containers\/e+/), 1);
    });
  });

  describe('exec', () => {
    it('an exec create answer without an exec ID is an error that says so; nothing is started', async () => {
      const root = await rootOf([{ match: /^POST \/containers\/e+\/exec/, status: 201, body: { Id: '../../containers/x/kill' } }]);
      await assert.rejects(openExecSession(root, RUNNING, { cmd: ['true'] }), clearError(/the exec create answer has no exec ID/));
      assert.equal(seen(/\/exec\/.*\/start/), 0);
    });

    it('a resize answer past the cap is an error on that level; the session still ends with its exit code', async () => {
      const root = await rootOf([
        { match: /^POST \/containers\/e+\/exec/, status: 201, body: { Id: 'fakeexec1' } },
        huge(/^POST \/exec\/fakeexec1\/resize/),
        { match: /^GET \/exec\/fakeexec1\/json/, body: { Running: false, ExitCode: 0 } },
      ], { execOutput: 'hello' });
      const session = await openExecSession(root, RUNNING, { cmd: ['sh'], tty: true });
      try {
        await assert.rejects(session.resize(80, 24), clearError(OVERSIZE));
        cutShort();
        assert.equal(await session.exitCode, 0);
      } finally {
        session.dispose();
      }
    });
  });

  describe('images, volumes, networks, the build cache', () => {
    const imageRoutes = (answer: LyingRoute): LyingRoute[] => [
      { match: /^GET \/images\/img\/json/, body: { Id: IMAGE_ID, RepoTags: ['img:latest'] } },
      answer,
    ];

    it('an image delete answer that is not a list of {Untagged, Deleted} is an error that says so', async () => {
      let root = await rootOf(imageRoutes({ match: /^DELETE \/images\/img/, body: { Deleted: IMAGE_ID } }));
      await assert.rejects(removeImage(root, 'img'), clearError(/the image delete answer is not a list/));
      levels!.dispose();
      await fake!.close();
      root = await rootOf(imageRoutes({ match: /^DELETE \/images\/img/, body: [{ Untagged: 'img:latest' }, { Deleted: 42 }] }));
      await assert.rejects(removeImage(root, 'img'), clearError(/an image delete entry is not \{Untagged, Deleted\}/));
    });

    it('an honest image delete answer is read as it is', async () => {
      const root = await rootOf(imageRoutes({ match: /^DELETE \/images\/img/, body: [{ Untagged: 'img:latest' }, { Deleted: IMAGE_ID }] }));
      assert.deepEqual(await removeImage(root, 'img'), { untagged: ['img:latest'], deleted: [IMAGE_ID] });
    });

    it('image, volume and network delete answers past the cap are errors on that level', async () => {
      const root = await rootOf([...imageRoutes(huge(/^DELETE \/images\/img/)), huge(/^DELETE \/volumes\/v1/), huge(/^DELETE \/networks\/n1/)]);
      await assert.rejects(removeImage(root, 'img'), clearError(OVERSIZE));
      await assert.rejects(removeVolume(root, 'v1'), clearError(OVERSIZE));
      await assert.rejects(removeNetwork(root, { id: 'n1', name: 'mynet' }), clearError(OVERSIZE));
      cutShort(3);
      assert.deepEqual([seen(/^DELETE \/images\/img/), seen(/^DELETE \/volumes\/v1/), seen(/^DELETE \/networks\/n1/)], [1, 1, 1]);
    });

    const cachePlan: PrunePlan = {
      levelPath: '', items: [{ kind: 'buildCache', id: 'build-cache', label: '1 build cache records', bytes: 10 }],
      counts: { container: 0, image: 0, volume: 0, buildCache: 1 }, bytes: 10, reclaimableBytes: 10,
    };

    it('a build cache prune answer of the wrong shape or past the cap is a failed item with the reason; nothing is counted as freed', async () => {
      let root = await rootOf([{ match: /^POST \/build\/prune/, body: { CachesDeleted: [], SpaceReclaimed: 'lots' } }]);
      let result = await runPrune(root, cachePlan);
      assert.deepEqual([result.removed.length, result.failed.length, result.bytes], [0, 1, 0]);
      assert.match(result.failed[0].reason, /SpaceReclaimed is not a byte count/);
      levels!.dispose();
      await fake!.close();
      root = await rootOf([huge(/^POST \/build\/prune/)]);
      result = await runPrune(root, cachePlan);
      assert.deepEqual([result.removed.length, result.failed.length], [0, 1]);
      assert.match(result.failed[0].reason, OVERSIZE);
      cutShort();
    });

    it('an honest build cache prune answer gives the bytes freed', async () => {
      const root = await rootOf([{ match: /^POST \/build\/prune/, body: { CachesDeleted: ['x'], SpaceReclaimed: 1234 } }]);
      const result = await runPrune(root, cachePlan);
      assert.deepEqual([result.removed.length, result.failed.length, result.bytes], [1, 0, 1234]);
    });
  });

  describe('archive put', () => {
    it('an archive put answer past the cap is an error on that level', async () => {
      const root = await rootOf([huge(/^PUT \/containers\/e+\/archive/)]);
      await assert.rejects(writeContainerFile(root, RUNNING, '/tmp/f', Buffer.from('hello')), clearError(OVERSIZE));
      cutShort();
      assert.equal(seen(/^PUT \/containers\/e+\/archive\?path=%2Ftmp&noOverwriteDirNonDir=true$/), 1);
    });
  });

  describe('pull and image load progress', () => {
    it('a pull whose progress line never ends is cut at 1 MiB: the start says so, and nothing is created', async () => {
      const root = await rootOf([huge(/^POST \/images\/create/)]);
      await assert.rejects(startLevel(levels!, root, { image: 'fake/dind' }), clearError(/Pull failed: .*a progress line is longer than 1 MiB, which no Docker daemon sends/));
      cutShort();
      assert.equal(seen(/^POST \/images\/create/), 1);
      assert.equal(seen(/^POST \/containers\/create/), 0);
    });

    it('a pull whose progress says error fails with that message, as visible escapes on one line', async () => {
      const errorLine = JSON.stringify({ errorDetail: { message: HOSTILE }, error: HOSTILE });
      const root = await rootOf([{ match: /^POST \/images\/create/, body: `{"status":"Pulling from fake/dind"}\n${errorLine}\n` }]);
      await assert.rejects(startLevel(levels!, root, { image: 'fake/dind' }), (e: unknown) => {
        assert.ok(e instanceof DockerLevelsError);
        assert.match(e.message, /Pull failed: Pulling fake\/dind on .* failed: denied\\x1b\]0;pwned\\x07/);
        assert.doesNotMatch(e.userMessage, RAW_CONTROL);
        assert.doesNotMatch(e.message, /\n/, 'one line: no forged log line');
        return true;
      });
      assert.equal(seen(/^POST \/containers\/create/), 0);
    });

    const loadRoutes = (answer: LyingRoute): LyingRoute[] => [
      { match: /^GET \/images\/img\/json/, body: { Id: IMAGE_ID, RepoTags: ['img:latest'] } },
      { match: /^GET \/images\/img\/get/, body: 'not really a tar, but the fake takes it' },
      answer,
    ];

    it('an image load whose progress line never ends is cut at 1 MiB; one that says error fails with that message', async () => {
      let root = await rootOf(loadRoutes(huge(/^POST \/images\/load/)));
      await assert.rejects(copyImage(root, root, 'img'), clearError(/a progress line is longer than 1 MiB/));
      cutShort();
      levels!.dispose();
      await fake!.close();
      root = await rootOf(loadRoutes({ match: /^POST \/images\/load/, body: `${JSON.stringify({ errorDetail: { message: HOSTILE }, error: HOSTILE })}\n` }));
      await assert.rejects(copyImage(root, root, 'img'), clearError(/Loading img into .* failed: denied\\x1b\]0;pwned/));
    });
  });

  it('a failed stream request with a 2 GB body is cut at 64 MiB: the CLI says so, peak memory under 300 MB', async () => {
    fake = await startFakeLyingDaemon({
      hugeBytes: 2 * 1024 ** 3,
      routes: [
        { match: /^GET \/images\/img\/json/, body: { Id: IMAGE_ID, RepoTags: ['img:latest'] } },
        { match: /^GET \/images\/img\/get/, status: 500, body: 'huge' },
      ],
    });
    const r = await runCli(['copy-image', 'img', '--from', '/', '--to', '/', '--host', fake.url]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(`${r.stdout}${r.stderr}`, /The failure answer \(HTTP 500\): the answer is larger than 64 MiB, which no Docker daemon sends/);
    assert.ok(r.maxRssMb < 300, `peak RSS ${r.maxRssMb} MB`);
    assert.ok(fake.hugeSent() < 512 * 1024 ** 2, `the fake sent ${fake.hugeSent()} bytes before the CLI hung up`);
  });
});
