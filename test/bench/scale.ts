/**
 * Item 4: 1,000 tiny leaf containers at level 1. Measures the time to build the tree's children
 * from the listing beyond the API call itself — the core's `toChildSpecs`, which the extension's
 * containerChildren (LevelNode.ts) maps 1:1 to nodes — and the heap the listing and the rows retain. Not
 * measurable in plain Node: the extension host's TreeItem building, IPC and rendering.
 * The containers are created, not started: a thousand shims would take gigabytes.
 */
import { performance } from 'node:perf_hooks';
import { toChildSpecs } from '../../src/core';
import type { BenchContext } from './benchContext';
import { BENCH_LABEL_KEY, BENCH_PREFIX, benchContainers, LEAF_IMAGE, removeBenchContainers } from './benchContainers';
import { ms, ratioOf, Row } from './report';
import { gcFunction, inBatches, median, summarize } from './stats';

const COUNT = 1000;
const ROUNDS = 7;
const PREFIX = `${BENCH_PREFIX}scale-`;

export async function scale(ctx: BenchContext): Promise<Row[]> {
  const level = ctx.daemons[1];
  const gc = gcFunction();
  const existing = new Set((await benchContainers(level, PREFIX)).map((c) => c.name));
  const names = Array.from({ length: COUNT }, (_, i) => `${PREFIX}${String(i).padStart(4, '0')}`).filter((n) => !existing.has(n));
  ctx.log(`item 4: creating ${names.length} containers at level 1 (${level.transport.kind})`);
  const createStart = performance.now();
  await inBatches(names, 8, (name) => level.docker.createContainer({
    name, Image: LEAF_IMAGE, Labels: { [BENCH_LABEL_KEY]: 'bench' }, HostConfig: { NetworkMode: 'none' },
  }));
  const createMs = performance.now() - createStart;
  try {
    const apiMs: number[] = [];
    const buildMs: number[] = [];
    let listed = 0;
    for (let i = 0; i < ROUNDS + 1; i++) {
      const t0 = performance.now();
      const list = await level.listContainers(true);
      const t1 = performance.now();
      const specs = toChildSpecs(level.id, list, new Set());
      const t2 = performance.now();
      listed = specs.length;
      if (i === 0) continue; // warm-up
      apiMs.push(t1 - t0);
      buildMs.push(t2 - t1);
    }
    if (listed < COUNT) throw new Error(`level 1 lists only ${listed} containers`);

    gc();
    const before = process.memoryUsage().heapUsed;
    const list = await level.listContainers(true);
    const specs = toChildSpecs(level.id, list, new Set());
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    const kept = specs.length; // keeps list and specs alive until here

    const build = ms(median(buildMs));
    const api = ms(median(apiMs));
    ctx.details.scale = {
      containers: kept, createMs, build: summarize(buildMs), api: summarize(apiMs), retainedHeapBytes: retained,
      measured: 'toChildSpecs (core): classify, sort, ids — what containerChildren maps 1:1 to nodes',
    };
    return [
      {
        item: 4, name: `scale: ${kept} containers, children built beyond the API`, figure: build,
        baseline: { label: 'API call', value: api }, ratio: ratioOf(build, api, '× API'), target: '≤ 150 ms', pass: build.value <= 150,
        note: 'core toChildSpecs (classify + sort + ids); the extension host\'s TreeItem/IPC/render cost is not measurable in plain Node',
      },
      { item: 4, name: `scale: heap retained by the listing and rows`, figure: { value: retained / 1e6, unit: 'MB' } },
    ];
  } finally {
    ctx.log(`item 4: removing the ${COUNT} containers`);
    const t = performance.now();
    await removeBenchContainers(level, PREFIX);
    ctx.details.scaleRemoveMs = performance.now() - t;
  }
}
