/**
 * Item 6: Start DinD Here on the host daemon (the core's startLevel, image
 * docker-levels-test/dind, its default mode), time from the container's start to the level
 * answering, against the nested daemon's own start: from the container's start to dockerd's
 * last "API listen on" log line. All three instants come from this machine's one clock.
 */
import { startLevel } from '../../src/core';
import type { BenchContext } from './benchContext';
import { BENCH_LABEL_KEY, BENCH_PREFIX, DIND_IMAGE } from './benchContainers';
import { ms, ratioOf, Row } from './report';
import { median, summarize } from './stats';

const ROUNDS = 3;

/** Splits a non-TTY log stream into lines (8-byte frame headers). */
function demuxLines(buf: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const len = buf.readUInt32BE(at + 4);
    out.push(buf.subarray(at + 8, at + 8 + len).toString('utf8'));
    at += 8 + len;
  }
  return out.join('').split('\n');
}

/** Milliseconds since the epoch of an RFC 3339 time with nanoseconds. */
function parseTime(text: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return NaN;
  return Date.parse(`${m[1]}${m[3]}`) + Number(`0.${m[2] ?? '0'}`) * 1000;
}

export async function startDind(ctx: BenchContext): Promise<Row[]> {
  const root = ctx.daemons[0];
  const ours: number[] = [];
  const daemon: number[] = [];
  const total: number[] = [];
  const runs: unknown[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const name = `${BENCH_PREFIX}dind-${process.pid}-${i}`;
    ctx.log(`item 6: starting ${name} on the host (${i + 1}/${ROUNDS})`);
    const called = Date.now();
    const started = await startLevel(ctx.levels, root, {
      image: DIND_IMAGE, name, labels: { [BENCH_LABEL_KEY]: 'bench' }, readyTimeoutMs: 60_000,
    });
    const ready = Date.now();
    try {
      const c = root.docker.getContainer(started.containerId);
      const inspect = await c.inspect();
      const startedAt = parseTime(inspect.State.StartedAt);
      const logs = demuxLines(await c.logs({ stdout: true, stderr: true, timestamps: true }) as unknown as Buffer);
      const listen = logs.filter((l) => l.includes('API listen on')).map((l) => {
        const own = /time="([^"]+)"/.exec(l)?.[1];
        return parseTime(own ?? l.split(' ')[0]);
      }).filter((t) => t <= ready);
      if (!listen.length || Number.isNaN(startedAt)) throw new Error(`no "API listen on" line in the logs of ${name}`);
      const apiListen = Math.max(...listen);
      ours.push(ready - startedAt);
      daemon.push(apiListen - startedAt);
      total.push(ready - called);
      runs.push({ mode: started.mode, privilege: started.privilege, transport: started.level.transport.kind,
        readyFromStartMs: ready - startedAt, daemonStartMs: apiListen - startedAt, commandMs: ready - called, coreReadyMs: started.readyMs });
    } finally {
      ctx.levels.close(started.level.id);
      await root.docker.getContainer(started.containerId).remove({ force: true, v: true }).catch(() => undefined);
    }
  }
  const fig = ms(median(ours));
  const base = ms(median(daemon));
  const over = median(ours.map((o, i) => o - daemon[i]));
  ctx.details.startDind = { rounds: runs, readyFromStartMs: summarize(ours), daemonStartMs: summarize(daemon), commandMs: summarize(total), overheadMs: over };
  return [{
    item: 6, name: 'Start DinD here: container start → level ready', figure: fig, baseline: { label: 'dockerd', value: base },
    ratio: ratioOf(fig, base, '× dockerd'), target: '≤ dockerd + 200 ms', pass: over <= 200,
    note: `median overhead ${over.toFixed(0)} ms over the daemon's own start; whole command (image check, create, start, ready) ${median(total).toFixed(0)} ms`,
  }];
}
