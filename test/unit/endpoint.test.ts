import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerLevelsError, endpointFromSetting, parseEndpointUrl, resolveContext, resolveLocalEndpoint, splitCommandWords } from '../../src/core';

function badInput(fn: () => unknown, part: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof DockerLevelsError && err.kind === 'badInput' && part.test(err.message));
}

describe('endpoint parsing (unit)', () => {
  it('reads unix, tcp, ssh and npipe endpoints', () => {
    assert.deepEqual(parseEndpointUrl('unix:///var/run/docker.sock'), { kind: 'unix', socketPath: '/var/run/docker.sock' });
    assert.deepEqual(parseEndpointUrl('tcp://127.0.0.1:2375'), { kind: 'tcp', host: '127.0.0.1', port: 2375, tls: undefined });
    assert.deepEqual(parseEndpointUrl('tcp://[::1]:2376'), { kind: 'tcp', host: '::1', port: 2376, tls: undefined });
    // No port or user unless written: OpenSSH's config (Port, User) decides, as for the docker CLI.
    assert.deepEqual(parseEndpointUrl('ssh://me@box'), { kind: 'ssh', host: 'box', username: 'me' });
    assert.deepEqual(parseEndpointUrl('ssh://box:2222'), { kind: 'ssh', host: 'box', port: 2222 });
    assert.throws(() => parseEndpointUrl('ssh://-oProxyCommand=x@box'), /user name/);
    assert.deepEqual(parseEndpointUrl('npipe:////./pipe/docker_engine'), { kind: 'npipe', socketPath: '//./pipe/docker_engine' });
  });

  it('defaults the tcp port to 2375, or 2376 with TLS', () => {
    assert.equal((parseEndpointUrl('tcp://dind') as { port: number }).port, 2375);
    const tls = { ca: Buffer.from('a'), cert: Buffer.from('b'), key: Buffer.from('c') };
    assert.equal((parseEndpointUrl('tcp://dind', tls) as { port: number }).port, 2376);
  });

  it('names the bad part of a malformed endpoint', () => {
    badInput(() => parseEndpointUrl(''), /empty/);
    badInput(() => parseEndpointUrl('localhost:2375'), /no scheme/);
    badInput(() => parseEndpointUrl('http://localhost:2375'), /scheme "http:\/\/"/);
    badInput(() => parseEndpointUrl('tcp://localhost:abc'), /port "abc" is not a number/);
    badInput(() => parseEndpointUrl('tcp://localhost:70000'), /port 70000 is out of range/);
    badInput(() => parseEndpointUrl('tcp://:2375'), /host is missing/);
    badInput(() => parseEndpointUrl('tcp://host:2375/v1.41'), /path "\/v1.41"/);
    badInput(() => parseEndpointUrl('tcp://me@host:2375'), /user name/);
    badInput(() => parseEndpointUrl('unix://'), /socket path is missing/);
    badInput(() => parseEndpointUrl('tcp://host name:2375'), /host "host name" is not a host name or IP address/);
    badInput(() => parseEndpointUrl('tcp:// 127.0.0.1:2375'), /host " 127.0.0.1"/);
    badInput(() => parseEndpointUrl('tcp://[::1:2375'), /"\[" before the IPv6 address in "\[::1:2375" is never closed/);
    badInput(() => parseEndpointUrl('tcp://[not-v6]:2375'), /host "\[not-v6\]"/);
  });
});

describe('local endpoint resolution (unit)', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'dl-home-'));
  const env = (vars: NodeJS.ProcessEnv) => ({ env: vars, homeDir: home, platform: 'linux' as NodeJS.Platform });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('uses DOCKER_HOST first', () => {
    const e = resolveLocalEndpoint(env({ DOCKER_HOST: 'tcp://127.0.0.1:1234' }));
    assert.equal(e.source, 'env');
    assert.deepEqual(e.connection, { kind: 'tcp', host: '127.0.0.1', port: 1234, tls: undefined });
  });

  it('reads TLS material from DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', () => {
    const certs = mkdtempSync(path.join(os.tmpdir(), 'dl-certs-'));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(certs, f), f);
    try {
      const e = resolveLocalEndpoint(env({ DOCKER_HOST: 'tcp://127.0.0.1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }));
      assert.equal(e.connection.kind, 'tcp');
      assert.equal((e.connection as { port: number }).port, 2376);
      assert.equal((e.connection as { tls: { key: Buffer } }).tls.key.toString(), 'key.pem');
    } finally {
      rmSync(certs, { recursive: true, force: true });
    }
  });

  it('falls back to the default socket', () => {
    const e = resolveLocalEndpoint(env({}));
    assert.equal(e.source, 'default');
    assert.deepEqual(e.connection, { kind: 'unix', socketPath: '/var/run/docker.sock' });
  });

  it('follows the current context of config.json and its metadata', () => {
    const digest = createHash('sha256').update('lab').digest('hex');
    mkdirSync(path.join(home, '.docker', 'contexts', 'meta', digest), { recursive: true });
    writeFileSync(path.join(home, '.docker', 'contexts', 'meta', digest, 'meta.json'),
      JSON.stringify({ Name: 'lab', Endpoints: { docker: { Host: 'tcp://127.0.0.1:4243' } } }));
    writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'lab' }));
    const e = resolveLocalEndpoint(env({}));
    assert.equal(e.source, 'context');
    assert.equal(e.label, 'lab');
    assert.deepEqual(e.connection, { kind: 'tcp', host: '127.0.0.1', port: 4243, tls: undefined });
  });

  it('says which context is unknown', () => {
    assert.throws(() => resolveContext('nope', env({})), (err: unknown) =>
      err instanceof DockerLevelsError && err.kind === 'badInput' && /context "nope" does not exist/.test(err.message));
    assert.throws(() => resolveLocalEndpoint(env({ DOCKER_CONTEXT: 'missing' })), /context "missing" does not exist/);
  });
});

describe('command roots (unit)', () => {
  it('splits --host-command into words as a shell would, without one', () => {
    assert.deepEqual(splitCommandWords('  kubectl exec -i -c dind my-pod -- docker system dial-stdio '),
      ['kubectl', 'exec', '-i', '-c', 'dind', 'my-pod', '--', 'docker', 'system', 'dial-stdio']);
    assert.deepEqual(splitCommandWords(`ssh 'my host' "a \\"b\\"" c\\ d ''`), ['ssh', 'my host', 'a "b"', 'c d', '']);
    // Nothing is expanded or run: these are words like any other.
    assert.deepEqual(splitCommandWords('echo $HOME; rm -rf `x` | y'), ['echo', '$HOME;', 'rm', '-rf', '`x`', '|', 'y']);
    assert.throws(() => splitCommandWords(`ssh 'open`), /unclosed '/);
  });

  it('makes a settings entry with a command a command root, and refuses a bad one', () => {
    const e = endpointFromSetting({ name: 'pod', command: ['kubectl', 'exec', '-i', 'p', '--', 'docker', 'system', 'dial-stdio'] });
    assert.deepEqual(e.connection, { kind: 'command', argv: ['kubectl', 'exec', '-i', 'p', '--', 'docker', 'system', 'dial-stdio'] });
    assert.equal(e.label, 'pod');
    assert.equal(e.url, 'command: kubectl exec -i p -- docker system dial-stdio');
    assert.throws(() => endpointFromSetting({ command: [] }), /non-empty list of words/);
    assert.throws(() => endpointFromSetting({ command: ['ok', 3 as unknown as string] }), /non-empty list of words/);
    assert.throws(() => endpointFromSetting({ url: 'tcp://h:1', command: ['x'] }), /both "url" and "command"/);
    assert.throws(() => endpointFromSetting({ name: 'n' }), /neither "url" nor "command"/);
  });
});
