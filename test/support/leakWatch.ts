// What keeps the event loop alive, and a watch that proves a test left nothing of it behind
// (sockets, streams, timers, child processes) and no promise rejection unhandled.
import * as assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { Logger } from '../../src/core';
import { sleep, waitFor } from './waitFor';

/** Counts of what keeps the event loop alive, by kind (TCPSocketWrap, PipeWrap, Timeout, ProcessWrap…). */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

function excess(before: Map<string, number>, now: Map<string, number>): string[] {
  return [...now].filter(([kind, n]) => n > (before.get(kind) ?? 0)).map(([kind, n]) => `${kind}: ${before.get(kind) ?? 0} → ${n}`);
}

/** The async_hooks names of what getActiveResourcesInfo counts (TCPWRAP there is TCPSocketWrap). */
const TRACKED = new Set(['Timeout', 'TCPWRAP', 'PIPEWRAP', 'PROCESSWRAP', 'TCPSERVERWRAP', 'PIPESERVERWRAP', 'TCPCONNECTWRAP', 'PIPECONNECTWRAP']);

/**
 * Started at the beginning of a test: records what is alive and counts unhandled promise
 * rejections. `assertClean` (after the test disposed what it made) waits until everything is
 * back to where it was.
 */
export class LeakWatch {
  readonly before = activeResources();
  readonly rejections: unknown[] = [];
  private readonly onRejection = (reason: unknown) => { this.rejections.push(reason); };
  /** Where each resource made during the watch was made, to name a leak. */
  private readonly origins = new Map<number, { type: string; stack: string }>();
  private readonly hook = createHook({
    init: (id, type) => {
      if (!TRACKED.has(type)) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 40;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      const frames = stack.split('\n').slice(1).filter((l) => !/internal\/async_hooks|AsyncHook.init|node_modules\/mocha/.test(l));
      this.origins.set(id, { type, stack: frames.slice(0, 12).join('\n') });
    },
    destroy: (id) => { this.origins.delete(id); },
  });

  private constructor() {
    process.on('unhandledRejection', this.onRejection);
    this.hook.enable();
  }

  /** Starts a turn later: mocha arms its own test timer just after a test function returns. */
  static async start(): Promise<LeakWatch> {
    await new Promise((resolve) => setImmediate(resolve));
    return new LeakWatch();
  }

  async assertClean(ms = 15_000): Promise<void> {
    let left: string[] = [];
    try {
      await waitFor(() => (left = excess(this.before, activeResources())).length === 0, ms, 'resources to be released').catch(() => undefined);
      // Late rejections surface a turn after the promise is dropped.
      await sleep(50);
    } finally {
      process.off('unhandledRejection', this.onRejection);
      this.hook.disable();
    }
    assert.deepEqual(this.rejections.map((r) => String((r as Error)?.stack ?? r)), [], 'no unhandled promise rejections');
    if (left.length) {
      // getActiveResourcesInfo says TCPSocketWrap where async_hooks says TCPWRAP.
      const kinds = new Set(left.map((l) => l.split(':')[0].toUpperCase().replace('SOCKETWRAP', 'WRAP')));
      const where = [...this.origins.values()].filter((o) => kinds.has(o.type.toUpperCase())).map((o) => `${o.type} made at\n${o.stack}`);
      assert.deepEqual(left, [], `no sockets, streams, timers or child processes left over; still alive from this test:\n${where.join('\n---\n')}`);
    }
  }
}

/** A logger that keeps every line, trace included. */
export class CapturingLogger implements Logger {
  text = '';
  private add(level: string, m: string): void { this.text += `${level} ${m}\n`; }
  trace(m: string): void { this.add('trace', m); }
  debug(m: string): void { this.add('debug', m); }
  info(m: string): void { this.add('info', m); }
  warn(m: string): void { this.add('warn', m); }
  error(m: string): void { this.add('error', m); }
}

/** A full garbage collection, without running mocha with --expose-gc. */
export const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
})();
