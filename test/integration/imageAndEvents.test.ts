import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ContainerEvent, copyImage, EventSubscription, hasImage, Levels, silentLogger, SubscriptionState } from '../../src/core';
import { waitFor } from './faultBed';
import { bedChain, cli, dockerAt, newLevels, openBedLevel, theBed } from './testBed';

describe('image transfer between levels (integration)', () => {
  let levels: Levels;
  const tag = `docker-levels-test/copy:${process.pid}`;
  before(() => {
    levels = newLevels();
    execFileSync('docker', ['tag', 'docker-levels-test/leaf:latest', tag]);
  });
  after(() => {
    execFileSync('docker', ['rmi', tag]);
    try { dockerAt(bedChain(3), ['rmi', tag]); } catch { /* not copied */ }
    levels.dispose();
  });

  it('streams an image from the host to depth 3 with progress in bytes', async () => {
    const l3 = await openBedLevel(levels, 3);
    assert.equal(await hasImage(l3, tag), false);
    const seen: number[] = [];
    const { bytes } = await copyImage(levels.roots()[0], l3, tag, { onProgress: (b) => seen.push(b) });
    assert.ok(bytes > 1_000_000, `${bytes} bytes`);
    assert.equal(seen[seen.length - 1], bytes);
    assert.equal(await hasImage(l3, tag), true);
    assert.match(dockerAt(bedChain(3), ['images', '--format', '{{.Repository}}:{{.Tag}}']), new RegExp(tag.replace(/[/:.]/g, '.')));
  });

  it('docker-levels copy-image copies to a path', () => {
    dockerAt(bedChain(3), ['rmi', tag]);
    const r = cli(['copy-image', tag, '--to', bedChain(3).join('/')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /copied .* \d+ bytes/);
    assert.ok(dockerAt(bedChain(3), ['images', '--format', '{{.Repository}}:{{.Tag}}']).split('\n').includes(tag), `${tag} is at level 3`);
  });
});

describe('container events per daemon (integration)', () => {
  let levels: Levels;
  before(() => { levels = newLevels(); });
  after(() => levels.dispose());

  it('delivers container events at depth 3 and reconnects after the tunnel is cut', async () => {
    const l3 = await openBedLevel(levels, 3);
    const events: ContainerEvent[] = [];
    const states: SubscriptionState[] = [];
    const sub = new EventSubscription(l3, {
      onEvent: (e) => events.push(e), onState: (s) => states.push(s), log: silentLogger, initialDelayMs: 200,
    });
    const name = `dl-ev-${process.pid}`;
    try {
      await waitFor(() => sub.state === 'live', 30_000, 'the event stream');
      // Tied to this container: other tests' containers come and go on the same bed.
      const id = dockerAt(bedChain(3), ['create', '--name', `${name}-a`, 'docker-levels-test/leaf:latest']).trim();
      assert.match(id, /^[0-9a-f]{64}$/);
      await waitFor(() => events.some((e) => e.action === 'create' && e.containerId === id), 30_000, 'its create event');

      // Cut every exec tunnel into level 3 for real: kill the dial-stdio processes inside it.
      dockerAt(bedChain(2), ['exec', theBed().l3.name, 'sh', '-c', 'pkill -f "system dial-stdio" || killall docker || true']);
      await waitFor(() => states.includes('reconnecting'), 30_000, 'the drop to be noticed');
      await waitFor(() => sub.state === 'live', 30_000, 'the reconnect');
      const before = events.length;
      dockerAt(bedChain(3), ['rm', `${name}-a`]);
      await waitFor(() => events.slice(before).some((e) => e.action === 'destroy' && e.containerId === id), 30_000, 'its destroy event after the reconnect');
    } finally {
      sub.dispose();
      try { dockerAt(bedChain(3), ['rm', '-f', `${name}-a`]); } catch { /* removed above */ }
    }
    assert.equal(sub.state, 'closed');
  });
});
