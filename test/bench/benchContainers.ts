/**
 * The extra containers the benchmark needs, created and removed through the API in parallel
 * batches. Every one is named dl-bench-* and labeled docker-levels-test=bench; nothing else is
 * ever removed.
 */
import type { DaemonLevel } from '../../src/core';
import { inBatches } from './stats';

export const BENCH_LABEL_KEY = 'docker-levels-test';
export const BENCH_LABEL = `${BENCH_LABEL_KEY}=bench`;
export const BENCH_PREFIX = 'dl-bench-';
export const LEAF_IMAGE = 'docker-levels-test/leaf:latest';
export const DIND_IMAGE = 'docker-levels-test/dind:latest';

/** Parallel API calls per daemon: enough to hide round trips, few enough for 2 cores. */
const CONCURRENCY = 8;

/**
 * Makes sure `count` tiny leaf containers named `${prefix}NNNN` run on `daemon`, creating and
 * starting the missing ones. They have no network (`none`): nothing needs one, and a
 * bridge has a port limit.
 */
export async function ensureLeaves(daemon: DaemonLevel, prefix: string, count: number): Promise<number> {
  if (!prefix.startsWith(BENCH_PREFIX)) throw new Error(`bench containers must be named ${BENCH_PREFIX}*`);
  const existing = new Set((await benchContainers(daemon, prefix)).map((c) => c.name));
  const names = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`).filter((n) => !existing.has(n));
  await inBatches(names, CONCURRENCY, async (name) => {
    const c = await daemon.docker.createContainer({
      name, Image: LEAF_IMAGE, Labels: { [BENCH_LABEL_KEY]: 'bench' }, HostConfig: { NetworkMode: 'none' },
    });
    await c.start();
  });
  return names.length;
}

/** Our containers on `daemon` whose names start with `prefix` (label and name both checked). */
export async function benchContainers(daemon: DaemonLevel, prefix = BENCH_PREFIX): Promise<{ id: string; name: string }[]> {
  const list = await daemon.docker.listContainers({ all: true, filters: { label: [BENCH_LABEL] } });
  return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, '') }))
    .filter((c) => c.name.startsWith(prefix) && c.name.startsWith(BENCH_PREFIX));
}

/** Removes our containers on `daemon` whose names start with `prefix`; returns how many. */
export async function removeBenchContainers(daemon: DaemonLevel, prefix = BENCH_PREFIX): Promise<number> {
  const ours = await benchContainers(daemon, prefix);
  await inBatches(ours, CONCURRENCY, async (c) => {
    try {
      await daemon.docker.getContainer(c.id).remove({ force: true, v: true });
    } catch (err) {
      if (!/no such container|404/i.test(String(err))) throw err;
    }
  });
  return ours.length;
}
