import * as assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { classifyError, deadline, DockerLevelsError, withDeadline } from '../../src/core';

describe('error classification (unit)', () => {
  const cases: [unknown, string][] = [
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'unreachable'],
    [Object.assign(new Error('connect ENOENT /nope.sock'), { code: 'ENOENT' }), 'unreachable'],
    [Object.assign(new Error('(HTTP code 404) no such container - No such container: x'), { statusCode: 404 }), 'notFound'],
    [Object.assign(new Error('(HTTP code 409) conflict - name in use'), { statusCode: 409 }), 'conflict'],
    [Object.assign(new Error('self signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'tls'],
    [Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' }), 'permission'],
    [Object.assign(new Error('(HTTP code 403) forbidden - authorization denied by plugin'), { statusCode: 403 }), 'permission'],
    // Docker's 403 for a network in use or a predefined one is a conflict, not a denial.
    [Object.assign(new Error('(HTTP code 403) forbidden - error while removing network: network app id 1f2e has active endpoints'), { statusCode: 403 }), 'conflict'],
    [Object.assign(new Error('(HTTP code 403) forbidden - bridge is a pre-defined network and cannot be removed'), { statusCode: 403 }), 'conflict'],
    [Object.assign(new Error('(HTTP code 500) server error - OCI runtime create failed: unable to apply caps: operation not permitted'), { statusCode: 500 }), 'privilegedRefused'],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'cancelled'],
    [Object.assign(new Error('(HTTP code 400) unexpected - Client sent an HTTP request to an HTTPS server. '), { statusCode: 400 }), 'tls'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'unreachable'],
    [new Error('Request timed out'), 'timeout'],
    // The daemon's own answers name the user's things: their words are not transport failures.
    [Object.assign(new Error('(HTTP code 404) no such container - No such container: tls-timeout-proxy'), { statusCode: 404 }), 'notFound'],
    [Object.assign(new Error('(HTTP code 409) conflict - The container name "/ssl-socket-hang-up" is already in use'), { statusCode: 409 }), 'conflict'],
  ];
  for (const [err, kind] of cases) {
    it(`classifies "${(err as Error).message}" as ${kind}`, () => {
      const e = classifyError(err, 'daemon x');
      assert.equal(e.kind, kind);
      assert.ok(e.userMessage.length > 10);
    });
  }

  it('strips docker-modem\'s HTTP prefix from daemon messages', () => {
    const e = classifyError(Object.assign(new Error('(HTTP code 409) unexpected - Conflict. The container name "/a" is already in use'), { statusCode: 409 }), 'd');
    assert.match(e.message, /^Conflict on d: Conflict\. The container name/);
  });

  it('reports a level container that stopped or paused under an exec as unreachable, saying what to do', () => {
    const id = 'cd0ef33ac042364ca4c69abe54d731018d965b9310fc9f31adc4671b79f19721';
    const stopped = classifyError(Object.assign(new Error(`(HTTP code 409) container stopped/paused - Container ${id} is not running`), { statusCode: 409 }), 'level a/b');
    assert.equal(stopped.kind, 'unreachable');
    assert.equal(stopped.userMessage, 'level a/b: Container cd0ef33ac042 is not running. Start the container again, then Retry.');
    const paused = classifyError(Object.assign(new Error(`(HTTP code 409) container stopped/paused - Container ${id} is paused, unpause the container before exec`), { statusCode: 409 }), 'level a/b');
    assert.equal(paused.kind, 'unreachable');
    assert.equal(paused.userMessage, 'level a/b: Container cd0ef33ac042 is paused. Unpause the container, then Retry.');
  });

  it('turns a hanging call into a timeout error within the deadline', async () => {
    const started = Date.now();
    await assert.rejects(withDeadline(50, 'Hanging call', undefined, () => new Promise(() => undefined)),
      (e: unknown) => e instanceof DockerLevelsError && e.kind === 'timeout');
    assert.ok(Date.now() - started < 2000);
  });

  it('keeps its deadline through garbage collections, with a caller signal too (nodejs/node#57736)', async () => {
    v8.setFlagsFromString('--expose_gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const collecting = setInterval(gc, 20);
    try {
      const started = Date.now();
      await assert.rejects(withDeadline(200, 'Hanging call', new AbortController().signal, () => new Promise(() => undefined)),
        (e: unknown) => e instanceof DockerLevelsError && e.kind === 'timeout');
      const fired = await new Promise<boolean>((resolve) => {
        deadline(200, new AbortController().signal).addEventListener('abort', () => resolve(true));
        setTimeout(() => resolve(false), 2000);
      });
      assert.ok(fired, 'deadline() fired');
      assert.ok(Date.now() - started < 3000);
    } finally {
      clearInterval(collecting);
    }
  });

  it('reports a caller cancel as cancelled, not timeout', async () => {
    const c = new AbortController();
    const p = withDeadline(10_000, 'Call', c.signal, () => new Promise(() => undefined));
    c.abort();
    await assert.rejects(p, (e: unknown) => e instanceof DockerLevelsError && e.kind === 'cancelled');
  });
});
