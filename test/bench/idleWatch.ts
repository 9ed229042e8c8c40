/**
 * The idle measurement items 5 and 14 share: the extension's own RefreshController (its `vscode`
 * import is types only, so it loads in plain Node) watches the levels the caller adds, with the
 * view visible, and the HTTP requests made during the idle window are counted from Node's
 * diagnostics channel, event streams excluded. A refresh does what the tree's getChildren does,
 * one listing. Refreshes the controller makes after a container event or an event-stream
 * reconnect are counted apart: on this shared machine other engineers' work makes events, and
 * those refreshes are the tree following changes, not idle cost.
 */
import { DaemonLevel, Levels, silentLogger } from '../../src/core';
import type { BenchContext } from './benchContext';
import { countByKind, recordRequests } from './requestLog';
import { sleep } from './stats';

export interface WatchNode {
  id: string;
  parent: WatchNode | undefined;
  daemon: DaemonLevel;
}

interface Controller {
  watch(daemon: DaemonLevel, node: unknown): void;
  setVisible(visible: boolean): void;
  readonly activeSubscriptions: number;
  dispose(): void;
}

export interface IdleFigures {
  idleMs: number;
  eventStreams: number;
  requestsByKind: Record<string, number>;
  eventDrivenRefreshes: number;
  requestsNotCausedByEvents: number;
  /** For the report row. */
  note: string;
}

/**
 * Watches what `addLevels` adds (through the `watch` it is given), lets each event stream go
 * live for `settleMs`, then counts the requests of `idleMs`. `levels` stays the caller's.
 */
export async function idleRequests(ctx: BenchContext, label: string, levels: Levels, idleMs: number, settleMs: number,
  addLevels: (watch: (daemon: DaemonLevel, node: WatchNode) => void) => Promise<void>): Promise<IdleFigures> {
  const { RefreshController } = await import('../../src/extension/tree/refreshController') as unknown as {
    RefreshController: new (refresh: (n: WatchNode) => void, close: (id: string) => void, log: typeof silentLogger) => Controller;
  };
  let phase: 'settle' | 'idle' = 'settle';
  let refreshes = 0;
  const controller = new RefreshController((node) => {
    if (phase === 'idle') refreshes++;
    node.daemon.listContainers(true).catch(() => undefined);
  }, (id) => levels.close(id), silentLogger);
  try {
    await addLevels((daemon, node) => controller.watch(daemon, node));
    controller.setVisible(true);
    await sleep(settleMs);
    ctx.log(`${label}: ${controller.activeSubscriptions} event streams open; idle for ${idleMs / 1000} s`);
    phase = 'idle';
    const rec = recordRequests();
    await sleep(idleMs);
    const requests = rec.stop();
    phase = 'settle';
    const nonEvent = requests.filter((r) => !r.path.startsWith('/events'));
    const notCaused = Math.max(0, nonEvent.length - refreshes);
    const byKind = countByKind(requests);
    return {
      idleMs, eventStreams: controller.activeSubscriptions, requestsByKind: byKind,
      eventDrivenRefreshes: refreshes, requestsNotCausedByEvents: notCaused,
      note: `${controller.activeSubscriptions} event streams; requests: ${Object.entries(byKind).map(([k, n]) => `${n}× ${k}`).join(', ') || 'none'}; `
        + `${refreshes} refreshes after container events (other work on the machine) or stream reconnects, not counted`,
    };
  } finally {
    controller.dispose();
  }
}
