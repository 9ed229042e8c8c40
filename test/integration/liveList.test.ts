import * as assert from 'node:assert/strict';
import { type ContainerEvent, Levels, LiveContainerList, silentLogger } from '../../src/core';
import { recordRequests } from '../bench/requestLog';
import { waitFor } from './faultBed';
import { bedChain, dockerAt, newLevels, openBedLevel, theBed } from './testBed';

/** Counts container listings this process sends, whatever client sends them (the bench's recorder). */
function countListings(): { readonly count: number; stop(): void } {
  const recorder = recordRequests();
  return {
    get count() { return recorder.requests.filter((r) => r.method === 'GET' && r.path === '/containers/json').length; },
    stop: () => { recorder.stop(); },
  };
}

const names = (list: { Names: string[] }[]) => list.map((c) => c.Names[0].slice(1)).sort();

describe('a container list kept live by events, at depth 3 (integration)', () => {
  let levels: Levels;
  before(() => { levels = newLevels(); });
  after(() => levels.dispose());

  it('asks once, answers from memory while nothing changes (exec events included), and follows every change', async () => {
    const l3 = await openBedLevel(levels, 3);
    // Kept far longer than the test: only events can make these reads ask again.
    const seen: ContainerEvent[] = [];
    const live = new LiveContainerList(l3, { log: silentLogger, maxAgeMs: 600_000, onEvent: (e) => seen.push(e) });
    const listings = countListings();
    const name = `dl-live-${process.pid}`;
    try {
      await waitFor(() => live.isLive, 30_000, 'the event stream');
      const first = await live.list(true);
      assert.equal(listings.count, 1);
      assert.deepEqual(names(first), names(await l3.listContainers(true)));
      assert.equal(listings.count, 2);
      for (let i = 0; i < 5; i++) assert.deepEqual(names(await live.list(true)), names(first));
      assert.equal(listings.count, 2, 'reads while nothing changed asked the daemon nothing');

      // Exec events change nothing a listing shows: still answered from memory.
      // Waits for the live list's own stream to deliver the exec, not for a fixed time.
      const web3Id = dockerAt(bedChain(3), ['inspect', '-f', '{{.Id}}', theBed().web3.name]).trim();
      dockerAt(bedChain(3), ['exec', theBed().web3.name, 'true']);
      await waitFor(() => seen.some((e) => e.containerId === web3Id && e.action.startsWith('exec_die')), 30_000, 'the exec events on the live stream');
      await live.list(true);
      assert.equal(listings.count, 2, 'an exec event did not make it list again');

      dockerAt(bedChain(3), ['create', '--name', name, 'docker-levels-test/leaf:latest']);
      await waitFor(async () => names(await live.list(true)).includes(name), 10_000, 'the created container in the live list');
      assert.deepEqual(names(await live.list(true)), names(await l3.listContainers(true)));

      dockerAt(bedChain(3), ['rm', name]);
      await waitFor(async () => !names(await live.list(true)).includes(name), 10_000, 'the removed container gone from the live list');

      // Running-only is its own read, never filtered from a stale "all".
      const running = await live.list(false);
      assert.ok(running.every((c) => c.State === 'running'));
      assert.deepEqual(names(running), names(await l3.listContainers(false)));
    } finally {
      listings.stop();
      live.dispose();
      try { dockerAt(bedChain(3), ['rm', '-f', name]); } catch { /* removed above */ }
    }
  });

  it('a dropped stream, an explicit invalidate and old age each make the next read ask the daemon', async () => {
    const l3 = await openBedLevel(levels, 3);
    const live = new LiveContainerList(l3, { log: silentLogger, maxAgeMs: 1500 });
    const listings = countListings();
    try {
      await waitFor(() => live.isLive, 30_000, 'the event stream');
      await live.list(true);
      await live.list(true);
      assert.equal(listings.count, 1);

      live.invalidate();
      await live.list(true);
      assert.equal(listings.count, 2, 'invalidate');
      await live.list(true);
      assert.equal(listings.count, 2, 'kept again until it ages');

      // Ageing is the thing under test: only real time past maxAgeMs (1500 ms) may make it ask.
      await new Promise((r) => setTimeout(r, 1600));
      await live.list(true);
      assert.equal(listings.count, 3, 'older than maxAgeMs');

      // Cut the tunnels into level 3 for real: the stream drops, nothing kept is trusted.
      dockerAt(bedChain(2), ['exec', theBed().l3.name, 'sh', '-c', 'pkill -f "system dial-stdio" || killall docker || true']);
      await waitFor(() => !live.isLive, 30_000, 'the drop to be noticed');
      await live.list(true).catch(() => undefined);
      await waitFor(() => live.isLive, 30_000, 'the reconnect');
      const before = listings.count;
      await live.list(true);
      assert.equal(listings.count, before + 1, 'the first read after the reconnect asked');
      await live.list(true);
      assert.equal(listings.count, before + 1, 'and then it is kept again');
    } finally {
      listings.stop();
      live.dispose();
    }
  });
});
