/**
 * Item 5: HTTP requests during 60 s of idle with every bed level expanded, event streams
 * excluded. It runs the extension's own RefreshController (its `vscode` import is types only,
 * so it loads in plain Node) with the view visible; a refresh does what the tree's
 * getChildren does, one listing. Refreshes the controller makes after a container event or an
 * event-stream reconnect are counted apart: on this shared machine other engineers' work makes
 * events, and those refreshes are the tree following changes, not idle cost.
 */
import { DaemonLevel, Levels, resolveLocalEndpoint, silentLogger } from '../../src/core';
import { openBedLevel } from '../integration/testBed';
import type { BenchContext } from './benchContext';
import { Row } from './report';
import { countByKind, recordRequests } from './requestLog';
import { sleep } from './stats';

const IDLE_MS = 60_000;
/** The controller refreshes once when each event stream goes live; let that pass first. */
const SETTLE_MS = 3_000;

interface FakeNode {
  id: string;
  parent: FakeNode | undefined;
  daemon: DaemonLevel;
}

interface Controller {
  watch(daemon: DaemonLevel, node: unknown): void;
  setVisible(visible: boolean): void;
  readonly activeSubscriptions: number;
  dispose(): void;
}

export async function idleCost(ctx: BenchContext): Promise<Row[]> {
  const { RefreshController } = await import('../../src/extension/tree/refreshController') as unknown as {
    RefreshController: new (refresh: (n: FakeNode) => void, close: (id: string) => void, log: typeof silentLogger) => Controller;
  };
  const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000 });
  let phase: 'settle' | 'idle' = 'settle';
  let refreshes = 0;
  const controller = new RefreshController((node) => {
    // What getChildren does for an expanded daemon or level node: one listing.
    if (phase === 'idle') refreshes++;
    node.daemon.listContainers(true).catch(() => undefined);
  }, (id) => levels.close(id), silentLogger);
  try {
    const daemons = [levels.roots()[0]];
    for (const depth of [1, 2, 3]) daemons.push(await openBedLevel(levels, depth));
    let parent: FakeNode | undefined;
    for (const d of daemons) {
      await d.listContainers(true);
      const node: FakeNode = { id: d.isRoot ? 'root:local' : `${d.parent!.id}#${d.container!.id}`, parent, daemon: d };
      controller.watch(d, node);
      parent = node;
    }
    controller.setVisible(true);
    await sleep(SETTLE_MS);
    ctx.log(`item 5: ${controller.activeSubscriptions} event streams open; idle for ${IDLE_MS / 1000} s`);
    phase = 'idle';
    const rec = recordRequests();
    await sleep(IDLE_MS);
    const requests = rec.stop();
    phase = 'settle';
    const nonEvent = requests.filter((r) => !r.path.startsWith('/events'));
    const notCaused = Math.max(0, nonEvent.length - refreshes);
    ctx.details.idleCost = {
      idleMs: IDLE_MS, eventStreams: controller.activeSubscriptions, requestsByKind: countByKind(requests),
      eventDrivenRefreshes: refreshes, requestsNotCausedByEvents: notCaused,
    };
    return [{
      item: 5, name: 'idle 60 s, every level expanded: requests (events excluded)', figure: { value: notCaused, unit: 'requests' },
      target: '0', pass: notCaused === 0,
      note: `${controller.activeSubscriptions} event streams; requests: ${Object.entries(countByKind(requests)).map(([k, n]) => `${n}× ${k}`).join(', ') || 'none'}; `
        + `${refreshes} refreshes after container events (other work on the machine) or stream reconnects, not counted`,
    }];
  } finally {
    controller.dispose();
    levels.dispose();
  }
}
