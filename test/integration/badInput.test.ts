/**
 * Bad input, each against real daemons of our own: every case ends in a DockerLevelsError of
 * the right kind whose message names the problem and whose hint says what to do, in the core
 * and through the CLI, and nothing half-created is left behind.
 *
 *   local daemon ─ dl-fault-bi-a (level 1, TLS on 127.0.0.1) ─ leaves made by the tests
 *                ├ dl-fault-bi-b (level 1, TLS: its client certificates are the "wrong" ones for a)
 *                └ dl-fault-bi-notool (level 1, tunnel only; its tunnel tools removed)
 *   our own dockerd without CAP_SYS_TIME in its bounding set (refuses --privileged and the fallback)
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  copyImage, DaemonLevel, DockerLevelsError, endpointFromSetting, ErrorKind, Levels, openExecSession, removeContainer, resolveContext,
  resolveLocalEndpoint, runInContainer, snapshotDaemon, startLevel,
} from '../../src/core';
import {
  containersIn, DIND_IMAGE, dockerIn, ensureImage, faultName, FAULT_TIMEOUT_MS, LEAF_IMAGE, openLevelPath, ourRootContainers, OwnDockerd,
  ownRoot, removeAll, REPORT_BOUND_MS, runCli, startFaultLevel, timed, watched,
} from './faultBed';

const A = faultName('bi-a');
const B = faultName('bi-b');
const NOTOOL = faultName('bi-notool');

/** The error is a DockerLevelsError of `kind`, its message matches, and it has a hint. */
function isClear(kind: ErrorKind, message: RegExp, hint: RegExp = /./) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof DockerLevelsError, `a DockerLevelsError, got ${String((e as Error)?.stack ?? e)}`);
    assert.equal(e.kind, kind, e.userMessage);
    assert.match(e.message, message);
    assert.ok(e.hint, `"${e.message}" says what to do`);
    assert.match(e.hint, hint);
    return true;
  };
}

/** What exists of ours, to prove that a failed action left nothing behind. */
function ourContainers(): { root: string[]; inA: string[] } {
  return { root: ourRootContainers(), inA: [...containersIn([A]).values()].sort() };
}

/** A docker config dir with one context, as `docker context create` writes it. */
function writeContext(dir: string, name: string, host: string, tls?: { ca: string; cert: string; key: string }): void {
  const digest = createHash('sha256').update(name).digest('hex');
  const meta = path.join(dir, 'contexts', 'meta', digest);
  fs.mkdirSync(meta, { recursive: true });
  fs.writeFileSync(path.join(meta, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  if (tls) {
    const tlsDir = path.join(dir, 'contexts', 'tls', digest, 'docker');
    fs.mkdirSync(tlsDir, { recursive: true });
    for (const [file, text] of Object.entries(tls)) fs.writeFileSync(path.join(tlsDir, `${file}.pem`), text, { mode: 0o600 });
  }
}

function clientCertsOf(container: string): { ca: string; cert: string; key: string } {
  const read = (f: string) => dockerIn([], ['exec', container, 'cat', `/certs/client/${f}.pem`]);
  return { ca: read('ca'), cert: read('cert'), key: read('key') };
}

describe('bad input: clear errors that say what to do, nothing half-created (integration)', function () {
  this.timeout(300_000);
  let configDir: string;

  before(async function () {
    this.timeout(600_000);
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-fault-docker-config-'));
    const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000 });
    try {
      const root = levels.roots()[0];
      const [a] = await Promise.all([startFaultLevel(levels, root, 'bi-a'), startFaultLevel(levels, root, 'bi-b'),
        startFaultLevel(levels, root, 'bi-notool', { mode: 'tunnel' })]);
      await ensureImage(a.level, LEAF_IMAGE);
    } finally {
      levels.dispose();
    }
  });

  after(async function () {
    this.timeout(120_000);
    fs.rmSync(configDir, { recursive: true, force: true });
    await removeAll([A, B, NOTOOL]);
    assert.deepEqual(ourRootContainers().filter((n) => [A, B, NOTOOL].includes(n)), [], 'nothing of ours is left on the host');
  });

  it('malformed endpoint strings: badInput naming the bad part, with examples, from settings, DOCKER_HOST and --host', () => watched(async () => {
    const cases: [string, RegExp][] = [
      ['127.0.0.1:2375', /it has no scheme/],
      ['http://127.0.0.1:2375', /the scheme "http:\/\/" is not supported/],
      ['tcp://127.0.0.1:notaport', /the port "notaport" is not a number/],
      ['tcp://127.0.0.1:70000', /the port 70000 is out of range/],
      ['tcp://:2375', /the host is missing/],
      ['tcp://host name:2375', /the host "host name" is not a host name or IP address/],
      ['tcp://[::1:2375', /is never closed/],
      ['tcp://me@127.0.0.1:2375', /a user name \("me@"\) only goes with ssh:\/\//],
      ['tcp://127.0.0.1:2375/v1.41', /the path "\/v1.41" is not allowed/],
      ['unix://', /the socket path is missing/],
    ];
    const examples = /Examples: unix:\/\/\/var\/run\/docker\.sock, tcp:\/\/127\.0\.0\.1:2375/;
    for (const [url, part] of cases) {
      assert.throws(() => endpointFromSetting({ url }), isClear('badInput', part, examples), url);
      assert.throws(() => resolveLocalEndpoint({ env: { DOCKER_HOST: url }, homeDir: os.homedir(), platform: 'linux' }), isClear('badInput', part, examples), url);
    }
    for (const [url, part] of [cases[1], cases[5], ['', /it is empty/]] as [string, RegExp][]) {
      const r = runCli(['tree', '--host', url]);
      assert.equal(r.code, 2, `--host "${url}": ${r.stderr}`);
      assert.match(r.stderr, part);
      assert.match(r.stderr, examples);
    }
    const env = runCli(['tree'], { DOCKER_HOST: 'tcp://127.0.0.1:notaport' });
    assert.equal(env.code, 2, env.stderr);
    assert.match(env.stderr, /Endpoint "tcp:\/\/127\.0\.0\.1:notaport" is not valid: the port "notaport" is not a number\. Examples/);
  }));

  it('an unknown docker context, named in DOCKER_CONTEXT or config.json: badInput telling how to list contexts', () => watched(async () => {
    const dir = fs.mkdtempSync(path.join(configDir, 'unknown-'));
    const local = (env: NodeJS.ProcessEnv) => resolveLocalEndpoint({ env, homeDir: os.homedir(), platform: 'linux' });
    assert.throws(() => local({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'dl-fault-nope' }),
      isClear('badInput', /Docker context "dl-fault-nope" does not exist/, /docker context ls/));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ currentContext: 'dl-fault-gone' }));
    assert.throws(() => local({ DOCKER_CONFIG: dir }), isClear('badInput', /Docker context "dl-fault-gone" does not exist/, /docker context ls/));
    writeContext(dir, 'dl-fault-empty', '');
    assert.throws(() => resolveContext('dl-fault-empty', { env: { DOCKER_CONFIG: dir }, homeDir: os.homedir(), platform: 'linux' }),
      isClear('badInput', /has no docker endpoint/, /docker context update/));
    fs.writeFileSync(path.join(dir, 'config.json'), '{ not json');
    assert.throws(() => local({ DOCKER_CONFIG: dir }), isClear('badInput', /is not valid JSON/, /Fix or remove/));

    const r = runCli(['tree'], { DOCKER_HOST: '', DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'dl-fault-nope' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Docker context "dl-fault-nope" does not exist .*Run `docker context ls`/);
  }));

  it('TLS with wrong certificates (another dind container\'s): a tls error in bound saying what to check; plaintext to a TLS port says it speaks TLS', () => watched(async () => {
    const port = dockerIn([], ['port', A, '2376/tcp']).trim().split('\n')[0].split(':').pop();
    const host = `tcp://127.0.0.1:${port}`;
    const env = { env: { DOCKER_CONFIG: configDir }, homeDir: os.homedir(), platform: 'linux' as NodeJS.Platform };
    writeContext(configDir, 'dl-fault-right', host, clientCertsOf(A));
    writeContext(configDir, 'dl-fault-wrong', host, clientCertsOf(B));
    const attempt = async (endpoint: ReturnType<typeof resolveContext>) => {
      const levels = new Levels([endpoint], { timeoutMs: FAULT_TIMEOUT_MS });
      try {
        return await timed(levels.roots()[0].info());
      } finally {
        levels.dispose();
      }
    };
    // The address and the context are right: with a's own certificates it answers.
    assert.equal((await attempt(resolveContext('dl-fault-right', env))).value?.Name, dockerIn([], ['inspect', '-f', '{{.Id}}', A]).trim().slice(0, 12));
    const wrong = await attempt(resolveContext('dl-fault-wrong', env));
    assert.ok(wrong.ms < REPORT_BOUND_MS, `reported after ${wrong.ms} ms`);
    isClear('tls', /TLS handshake with daemon dl-fault-wrong .* failed/, /Check the CA, client certificate and key/)(wrong.error);
    const plain = await attempt(endpointFromSetting({ url: host }));
    isClear('tls', /only speaks TLS/, /CA, client certificate and key/)(plain.error);

    const r = runCli(['tree', '--timeout', String(FAULT_TIMEOUT_MS)], { DOCKER_HOST: '', DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'dl-fault-wrong' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /TLS handshake with .* failed.*Check the CA, client certificate and key/);
  }));

  it('an image that neither exists nor can be copied from a level above: notFound saying what to do, nothing half-created', () => watched(async (levels) => {
    const root = levels.roots()[0];
    const a = await openLevelPath(levels, [A]);
    const before = ourContainers();
    // Pulling goes to a registry on the level's own loopback, where nothing listens: no traffic leaves the machine.
    await assert.rejects(startLevel(levels, a, { image: '127.0.0.1:9/dl-fault-nowhere:1', pull: true, name: faultName('bi-nowhere') }),
      isClear('notFound', /Image 127\.0\.0\.1:9\/dl-fault-nowhere:1 is not on level .* and no level above has it\. Pull failed: /, /Check the image name, or pull or build it/));
    await assert.rejects(startLevel(levels, root, { image: 'docker-levels-test/nowhere:1', pull: false }),
      isClear('notFound', /no level above has it/, /pull or build it on a level above/));
    await assert.rejects(copyImage(root, a, 'docker-levels-test/nowhere:1'), isClear('notFound', /Image docker-levels-test\/nowhere:1 is not on daemon/, /Pull or build it there first/));
    assert.deepEqual(ourContainers(), before);

    const r = runCli(['start-dind', '--parent', A, '--image', 'docker-levels-test/nowhere:1', '--no-pull', '--timeout', '10000']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /docker-levels: Image docker-levels-test\/nowhere:1 is not on .* and no level above has it\. Check the image name/);
    assert.deepEqual(ourContainers(), before);
  }));

  it('a name conflict: conflict saying what to do, the existing container untouched, nothing half-created', () => watched(async (levels) => {
    const root = levels.roots()[0];
    const a = await openLevelPath(levels, [A]);
    const leaf = await a.docker.createContainer({ name: faultName('bi-taken'), Image: LEAF_IMAGE });
    try {
      const before = ourContainers();
      await assert.rejects(startLevel(levels, root, { image: DIND_IMAGE, pull: false, name: A }),
        isClear('conflict', new RegExp(`The container name "/${A}" is already in use`), /Choose another name, or stop or remove what is in the way/));
      await assert.rejects(startLevel(levels, a, { image: DIND_IMAGE, pull: false, name: faultName('bi-taken') }),
        isClear('conflict', /is already in use/, /Choose another name/));
      assert.deepEqual(ourContainers(), before);
      assert.equal(dockerIn([], ['inspect', '-f', '{{.State.Status}}', A]).trim(), 'running');

      const r = runCli(['start-dind', '--image', DIND_IMAGE, '--name', A, '--no-pull']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Conflict .* is already in use.*Choose another name/);
      assert.deepEqual(ourContainers(), before);
    } finally {
      await leaf.remove({ force: true });
    }
  }));

  describe('a daemon that refuses both --privileged and the fallback capability set', () => {
    let own: OwnDockerd | undefined;

    before(async function () {
      this.timeout(300_000);
      // Dropped from the daemon's bounding set, CAP_SYS_TIME (like CAP_SYS_RESOURCE on these VMs)
      // cannot be granted: runc refuses "--privileged" and "--cap-add ALL" alike, for real.
      own = await OwnDockerd.start('nocaps', { wrapper: ['setpriv', '--bounding-set', '-sys_time', '--'] });
      const levels = new Levels([resolveLocalEndpoint(), ownRoot(own)], { timeoutMs: 30_000 });
      try {
        await copyImage(levels.roots()[0], levels.roots()[1], DIND_IMAGE);
      } finally {
        levels.dispose();
      }
      // It runs ordinary containers: only the capabilities are refused.
      dockerIn([], ['run', '--rm', '--entrypoint', 'true', DIND_IMAGE], { host: own.url });
    });

    after(async function () {
      this.timeout(120_000);
      await own?.destroy();
    });

    it('privilegedRefused saying this host cannot run DinD, and the half-created container removed, in the core and the CLI', () => watched(async (levels) => {
      const mine = levels.roots()[1];
      await assert.rejects(startLevel(levels, mine, { image: DIND_IMAGE, pull: false, name: faultName('bi-refused') }),
        isClear('privilegedRefused', /refuses both --privileged and the fallback capability set: .*unable to apply caps/,
          /cannot run Docker in Docker; use a host that allows privileged containers/));
      assert.deepEqual([...containersIn([], { host: own!.url }).values()], [], 'nothing half-created');

      const r = runCli(['start-dind', '--host', own!.url, '--image', DIND_IMAGE, '--no-pull', '--name', faultName('bi-refused-cli')]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /refuses both --privileged and the fallback capability set.*use a host that allows privileged containers/);
      assert.deepEqual([...containersIn([], { host: own!.url }).values()], [], 'nothing half-created');
    }, [resolveLocalEndpoint(), ownRoot(own!)]));
  });

  it('a dind container without any tunnel tool (docker CLI, socat, nc removed): noTunnelTool saying what to add or publish', () => watched(async (levels) => {
    dockerIn([], ['exec', NOTOOL, 'sh', '-c', 'rm -f /usr/bin/docker /usr/bin/socat /usr/bin/nc /bin/docker /bin/socat /bin/nc']);
    const opening = await timed(openLevelPath(levels, [NOTOOL]));
    assert.ok(opening.ms < REPORT_BOUND_MS, `reported after ${opening.ms} ms`);
    isClear('noTunnelTool', new RegExp(`The container ${NOTOOL} has no tool to tunnel to its daemon \\(docker CLI, socat or nc -U\\)`),
      /Publish the daemon port .* or add the docker CLI or socat to the image/)(opening.error);
    const tree = await snapshotDaemon(levels, levels.roots()[0], { depth: 1 });
    assert.match(tree.containers.find((c) => c.name === NOTOOL)?.level?.error ?? '', /no tool to tunnel/, 'the tree shows it as a failed level');

    const r = runCli(['exec', `${NOTOOL}/anything`, '--', 'true']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /has no tool to tunnel to its daemon.*Publish the daemon port/);
  }));

  it('exec into a stopped container: conflict saying to start it, in the core and the CLI', () => watched(async (levels) => {
    const a = await openLevelPath(levels, [A]);
    const name = faultName('bi-stopped');
    const created = await a.docker.createContainer({ name, Image: LEAF_IMAGE });
    try {
      await assert.rejects(openExecSession(a, created.id, { cmd: ['true'] }), isClear('conflict', new RegExp(`Container ${name} is created, so nothing can run in it`), /Start it first/));
      await created.start();
      assert.equal((await runInContainer(a, created.id, ['true'])).exitCode, 0);
      await created.stop({ t: 1 });
      await assert.rejects(runInContainer(a, created.id, ['true']), isClear('conflict', /is exited, so nothing can run in it/, /Start it first/));
      const r = runCli(['exec', `${A}/${name}`, '--', 'true']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /is exited, so nothing can run in it\. Start it first\./);
    } finally {
      await created.remove({ force: true });
    }
  }));

  it('removing a container that is already gone: notFound saying to refresh; a removed level is closed with its connections', () => watched(async (levels) => {
    const root = levels.roots()[0];
    const a = await openLevelPath(levels, [A]);
    const leaf = await a.docker.createContainer({ name: faultName('bi-gone'), Image: LEAF_IMAGE });
    await removeContainer(levels, a, leaf.id);
    await assert.rejects(removeContainer(levels, a, leaf.id), isClear('notFound', /is already gone from level/, /Refresh the tree/));

    // A level that someone else removed: the core says so, and closes what it held open.
    const b: DaemonLevel = await openLevelPath(levels, [B]);
    const bId = b.container!.id;
    dockerIn([], ['rm', '-fv', B]);
    await assert.rejects(removeContainer(levels, root, bId), isClear('notFound', /is already gone from daemon/, /Refresh the tree/));
    assert.ok(b.isDisposed, 'the removed level is closed');
    assert.ok(!levels.openLevels().some((l) => l.id === b.id));
  }));
});
