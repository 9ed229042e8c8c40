/**
 * Item 5: HTTP requests during 60 s of idle with every bed level expanded, event streams
 * excluded (the measurement is idleWatch.ts's, shared with item 14).
 */
import { Levels, resolveLocalEndpoint } from '../../src/core';
import { openBedLevel } from '../integration/testBed';
import type { BenchContext } from './benchContext';
import { idleRequests, WatchNode } from './idleWatch';
import { Row } from './report';

const IDLE_MS = 60_000;
/** The controller refreshes once when each event stream goes live; let that pass first. */
const SETTLE_MS = 3_000;

export async function idleCost(ctx: BenchContext): Promise<Row[]> {
  const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000 });
  try {
    const idle = await idleRequests(ctx, 'item 5', levels, IDLE_MS, SETTLE_MS, async (watch) => {
      const daemons = [levels.roots()[0]];
      for (const depth of [1, 2, 3]) daemons.push(await openBedLevel(levels, depth));
      let parent: WatchNode | undefined;
      for (const d of daemons) {
        await d.listContainers(true);
        const node: WatchNode = { id: d.isRoot ? 'root:local' : `${d.parent!.id}#${d.container!.id}`, parent, daemon: d };
        watch(d, node);
        parent = node;
      }
    });
    const { note, ...figures } = idle;
    ctx.details.idleCost = figures;
    return [{
      item: 5, name: 'idle 60 s, every level expanded: requests (events excluded)', figure: { value: idle.requestsNotCausedByEvents, unit: 'requests' },
      target: '0', pass: idle.requestsNotCausedByEvents === 0, note,
    }];
  } finally {
    levels.dispose();
  }
}
