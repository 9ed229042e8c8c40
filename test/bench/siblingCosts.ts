/**
 * Item 14's costs of keeping the siblings open: idle requests with every sibling watched
 * (idleWatch.ts, as item 5), and the heap per open level in plain Node (the core's
 * DaemonLevels, after a gc), opened only and opened with a live list (event stream plus kept
 * listing, what an expanded level row holds).
 */
import { DaemonLevel, Levels, LiveContainerList, resolveLocalEndpoint, silentLogger } from '../../src/core';
import type { BenchContext } from './benchContext';
import { idleRequests, WatchNode } from './idleWatch';
import { Row } from './report';
import { gcFunction, inBatches, sleep } from './stats';

const IDLE_MS = 30_000;
/** The controller refreshes once when each event stream goes live; let that pass first. */
const SETTLE_MS = 5_000;
const OPEN_PARALLEL = 8;

async function openSiblings(levels: Levels, ids: readonly string[]): Promise<DaemonLevel[]> {
  return inBatches(ids, OPEN_PARALLEL, (id) => levels.openLevel(levels.roots()[0], id));
}

export async function idleWithSiblingsWatched(ctx: BenchContext, ids: readonly string[], details: Record<string, unknown>): Promise<Row> {
  const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000 });
  try {
    const idle = await idleRequests(ctx, 'item 14', levels, IDLE_MS, SETTLE_MS, async (watch) => {
      const root = levels.roots()[0];
      await root.listContainers(true);
      const rootNode: WatchNode = { id: 'root:local', parent: undefined, daemon: root };
      watch(root, rootNode);
      for (const level of await openSiblings(levels, ids)) {
        await level.listContainers(true);
        watch(level, { id: `${root.id}#${level.container!.id}`, parent: rootNode, daemon: level });
      }
    });
    const { note, ...figures } = idle;
    details.idle = figures;
    return {
      item: 14, name: `CI host: idle ${IDLE_MS / 1000} s, host + ${ids.length} siblings watched: requests (events excluded)`,
      figure: { value: idle.requestsNotCausedByEvents, unit: 'requests' }, target: '0', pass: idle.requestsNotCausedByEvents === 0, note,
    };
  } finally {
    levels.dispose();
  }
}

/** heapUsed and external (Buffers, TLS contexts: native, outside the JS heap) after a full gc. */
function heapNow(gc: () => void): { heap: number; external: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external };
}

/** Waits until every list's event stream is live (bounded; the caller reports how many were). */
async function untilLive(lists: readonly LiveContainerList[], ms: number): Promise<number> {
  const until = Date.now() + ms;
  while (Date.now() < until && lists.some((l) => !l.isLive)) await sleep(100);
  return lists.filter((l) => l.isLive).length;
}

export async function heapPerOpenLevel(ctx: BenchContext, ids: readonly string[], details: Record<string, unknown>): Promise<Row[]> {
  const gc = gcFunction();
  // A warm-up level first: lazily loaded modules and TLS setup are not the levels' own.
  const warmup = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000 });
  try {
    const [one] = await openSiblings(warmup, ids.slice(0, 1));
    const list = new LiveContainerList(one, { log: silentLogger });
    await list.list(true);
    await untilLive([list], 10_000);
    list.dispose();
  } finally {
    warmup.dispose();
  }
  const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000 });
  const lists: LiveContainerList[] = [];
  try {
    await levels.roots()[0].listContainers(true);
    const before = heapNow(gc);
    const open = await openSiblings(levels, ids);
    await Promise.all(open.map((l) => l.listContainers(true)));
    const afterOpen = heapNow(gc);
    for (const l of open) lists.push(new LiveContainerList(l, { log: silentLogger }));
    await Promise.all(lists.map((l) => l.list(true)));
    const live = await untilLive(lists, 20_000);
    const afterLive = heapNow(gc);
    const n = open.length;
    const perOpen = (afterOpen.heap - before.heap) / n;
    const perLive = (afterLive.heap - before.heap) / n;
    const externalPerLive = (afterLive.external - before.external) / n;
    details.heap = { levels: n, liveLists: live, before, afterOpen, afterLive, perOpenBytes: perOpen, perLiveBytes: perLive, externalPerLiveBytes: externalPerLive,
      measured: 'plain Node, the core only: heapUsed (and external) after gc, before and after opening the siblings, then watching them' };
    ctx.log(`item 14: heap per open level ${(perOpen / 1e3).toFixed(0)} kB, with a live list ${(perLive / 1e3).toFixed(0)} kB (${live}/${n} streams live)`);
    return [
      { item: 14, name: `CI host: heap per open level (core, plain Node), ${n} levels`, figure: { value: perOpen / 1e6, unit: 'MB' },
        note: 'the core\'s DaemonLevel with its client, TLS context and one listing, after gc; not the extension host\'s' },
      { item: 14, name: 'CI host: heap per open level with a live list (core, plain Node)', figure: { value: perLive / 1e6, unit: 'MB' },
        note: `plus LiveContainerList (event stream + kept listing), ${live} of ${n} streams live; `
          + `outside the JS heap (Buffers, TLS contexts) ${(externalPerLive / 1e3).toFixed(0)} kB more per level` },
    ];
  } finally {
    for (const l of lists) l.dispose();
    levels.dispose();
  }
}
