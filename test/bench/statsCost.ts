/**
 * Item 12: the cost of live CPU and memory. A StatsSampler (the core's, as the tree would use it)
 * watches every running container of levels 1–3 (the bench's leaves and the bed's own) at a
 * 5 s interval for 60 s; then nothing is watched (a hidden view) for 15 s. Requests are counted
 * from Node's own HTTP diagnostics, not by the sampler.
 */
import { StatsSampler } from '../../src/core';
import type { BenchContext } from './benchContext';
import { Row } from './report';
import { recordRequests } from './requestLog';
import { sleep } from './stats';

const INTERVAL_MS = 5_000;
const VISIBLE_MS = 60_000;
const HIDDEN_MS = 15_000;

export async function statsCost(ctx: BenchContext): Promise<Row[]> {
  const watched = (await Promise.all(ctx.daemons.slice(1).map(async (daemon) =>
    (await daemon.listContainers(false)).map((c) => ({ daemon, containerId: c.Id }))))).flat();
  let updates = 0;
  const sampler = new StatsSampler(INTERVAL_MS, () => { updates++; });
  try {
    const visible = recordRequests();
    sampler.setWatched(watched);
    await sleep(VISIBLE_MS);
    sampler.setWatched([]);
    const seen = visible.stop().filter((r) => r.kind === 'GET /containers/{id}/stats');
    const hidden = recordRequests();
    await sleep(HIDDEN_MS);
    const whileHidden = hidden.stop().filter((r) => r.kind === 'GET /containers/{id}/stats').length;
    const perMinute = Math.round(seen.length * (60_000 / VISIBLE_MS));
    const perContainer = new Map<string, number>();
    for (const r of seen) perContainer.set(r.ids[0] ?? r.path, (perContainer.get(r.ids[0] ?? r.path) ?? 0) + 1);
    const most = Math.max(0, ...perContainer.values());
    const allowed = Math.ceil(VISIBLE_MS / INTERVAL_MS) + 1;
    ctx.details.statsCost = { watched: watched.length, intervalMs: INTERVAL_MS, visibleMs: VISIBLE_MS, requests: seen.length, updates, mostForOneContainer: most, whileHidden };
    return [
      {
        item: 9, name: `live stats, ${watched.length} containers visible at levels 1–3: requests per minute`, figure: { value: perMinute, unit: 'requests' },
        target: `≤ ${watched.length * allowed} (one per container per ${INTERVAL_MS / 1000} s)`, pass: most <= allowed,
        note: `${updates} readings; at most ${most} reads of one container in ${VISIBLE_MS / 1000} s`,
      },
      {
        item: 9, name: 'live stats, view hidden 15 s: requests', figure: { value: whileHidden, unit: 'requests' }, target: '0', pass: whileHidden === 0,
      },
    ];
  } finally {
    sampler.dispose();
  }
}
