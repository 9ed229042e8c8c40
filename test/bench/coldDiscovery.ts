/**
 * Item 2: cold discovery of the bed's whole tree (levels 1–3, ~20 leaf containers each) with
 * fresh clients every round: wall time and the HTTP requests by kind. Discovery starts at the
 * host daemon's listing and walks everything below dl-bed-l1; other host containers (other
 * engineers' work on the shared machine) are left out so the figure is the bed's own.
 */
import { performance } from 'node:perf_hooks';
import { ContainerSnapshot, DaemonSnapshot, Levels, resolveLocalEndpoint, snapshotDaemon } from '../../src/core';
import type { BenchContext } from './benchContext';
import { ms, Row } from './report';
import { countByKind, recordRequests, RecordedRequest } from './requestLog';
import { median, summarize } from './stats';

const ROUNDS = 5;

interface Round {
  wallMs: number;
  requests: RecordedRequest[];
  tree: DaemonSnapshot;
}

function walk(s: DaemonSnapshot, visit: (d: DaemonSnapshot, c: ContainerSnapshot) => void): void {
  for (const c of s.containers) {
    visit(s, c);
    if (c.level) walk(c.level, visit);
  }
}

/** One cold walk: host listing, open dl-bed-l1, snapshot everything below it. */
async function discover(ctx: BenchContext, depth: number): Promise<Round> {
  const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000 });
  const rec = recordRequests();
  try {
    const t = performance.now();
    const root = levels.roots()[0];
    const hostList = await root.listContainers(true);
    const l1 = hostList.find((c) => c.Names[0] === `/${ctx.bed.l1.name}`);
    if (!l1) throw new Error(`${ctx.bed.l1.name} is not on the host`);
    const level1 = await levels.openLevel(root, l1.Id);
    const tree = await snapshotDaemon(levels, level1, { depth });
    const wallMs = performance.now() - t;
    return { wallMs, requests: rec.stop(), tree };
  } finally {
    rec.stop();
    levels.dispose();
  }
}

function summarizeRound(r: Round) {
  const leafIds = new Set<string>();
  const daemons: string[] = [];
  let containers = 0;
  let errors = 0;
  const note = (d: DaemonSnapshot) => {
    daemons.push(`${d.path} (${d.transport})`);
    if (d.error) errors++;
  };
  note(r.tree);
  walk(r.tree, (_d, c) => {
    containers++;
    if (c.level) note(c.level); else leafIds.add(c.id);
  });
  const perLeaf = r.requests.filter((q) => q.ids.some((id) => leafIds.has(id)));
  return { daemons, containers, errors, leafContainers: leafIds.size, perLeaf, byKind: countByKind(r.requests) };
}

export async function coldDiscovery(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  for (const [label, depth] of [['whole tree, levels 1–3 (TCP + tunnel)', Infinity], ['TCP levels only (1–2)', 2]] as const) {
    ctx.log(`item 2: cold discovery, ${label}, ${ROUNDS} rounds`);
    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await discover(ctx, depth));
    const walls = rounds.map((r) => r.wallMs);
    const last = summarizeRound(rounds[rounds.length - 1]);
    const wall = ms(median(walls));
    rows.push({
      item: 2, name: `cold discovery, ${label}`, figure: wall, target: '≤ 1000 ms', pass: wall.value <= 1000 && last.errors === 0,
      note: `${last.daemons.length} daemons, ${last.containers} containers, ${rounds[rounds.length - 1].requests.length} requests: `
        + Object.entries(last.byKind).map(([k, n]) => `${n}× ${k}`).join(', ')
        + (last.errors ? `; ${last.errors} levels failed` : ''),
    });
    if (depth === Infinity) {
      const perLeaf = Math.max(...rounds.map((r) => summarizeRound(r).perLeaf.length));
      rows.push({
        item: 2, name: 'cold discovery: requests naming a leaf container', figure: { value: perLeaf, unit: 'requests' },
        target: '0', pass: perLeaf === 0,
        note: `${last.leafContainers} leaf containers in the tree; worst of ${ROUNDS} rounds`,
      });
    }
    details[depth === Infinity ? 'wholeTree' : 'tcpOnly'] = {
      wallMs: summarize(walls), daemons: last.daemons, containers: last.containers, leafContainers: last.leafContainers,
      requestsByKind: last.byKind, requestsPerRound: rounds.map((r) => r.requests.length),
      requestsNamingLeaves: last.perLeaf.map((q) => q.kind),
    };
  }
  ctx.details.coldDiscovery = details;
  return rows;
}
