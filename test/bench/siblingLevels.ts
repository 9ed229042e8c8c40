/**
 * Item 14: a CI host's scale (issue 17). 25 sibling levels at depth 1, started on the host
 * daemon as Start DinD Here starts them — the core's startLevel with the bed's image
 * docker-levels-test/dind, mode auto (TLS on 2376, published on 127.0.0.1; the capability set
 * where --privileged is refused) — named dl-bench-sib-* and labeled docker-levels-test=bench.
 * Then, to show what the TLS certificate reads cost, 25 more in plain mode (plaintext 2375 on
 * 127.0.0.1, no certificates). Measured side by side in one run, interleaved round by round:
 * - the core's cold walk of the host to depth 1 (fresh clients, every level opened);
 * - the docker CLI doing the same: `docker ps -a` on the host and `docker exec L docker ps -a`
 *   for every level the walk opened, all at once;
 * - raw Engine API requests: the host's list, then for every level at once a new connection
 *   (TLS where the level speaks it; routes and certificates known beforehand) with GET /info
 *   and GET /containers/json: what the daemons need, with no discovery at all;
 * - TLS set: the certificate reads alone (the core's reader, all at once), and the built CLI's
 *   `docker-levels tree --depth 1 --json` as a cold process; plain set: the walk at other bounds.
 * With the TLS set up: idle requests with every level watched, the heap per open level
 * (siblingCosts.ts) and in the extension host (siblingExtensionHost.ts).
 * The walk opens every dind container on the host, so the bed's own depth-1 levels (and any
 * other work on the machine) are in every figure; the notes say how many.
 * What it started is removed, also after a failure.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CertificateRoute, DaemonLevel, DaemonSnapshot, LevelMode, Levels, readClientCertsFromContainer, resolveLocalEndpoint, snapshotDaemon, startLevel,
  StartedLevel, WALK_PARALLEL_OPENS,
} from '../../src/core';
import { activationUnavailable } from './activation';
import { BenchContext, docker, rawConnectionTo } from './benchContext';
import { BENCH_LABEL_KEY, BENCH_PREFIX, DIND_IMAGE, removeBenchContainers } from './benchContainers';
import { ms, ratioOf, Row } from './report';
import { countByKind, recordRequests, RecordedRequest } from './requestLog';
import { heapPerOpenLevel, idleWithSiblingsWatched } from './siblingCosts';
import { extensionHostHeap } from './siblingExtensionHost';
import { inBatches, median, summarize } from './stats';

const COUNT = 25;
export const SIBLING_PREFIX = `${BENCH_PREFIX}sib-`;
/** Starts at once: 25 dockerds starting together on 2 cores would each wait on the others past their ready timeout. */
const START_PARALLEL = 5;
/** Measured rounds per variant, after one warm-up round (the daemons' first /info, the page cache). */
const ROUNDS = 3;
const TARGET_MS = 1000;
const REPO = path.resolve(__dirname, '..', '..');
const CLI_OUT = path.join(REPO, 'test-results', 'bench', 'sibling-cli');

interface WalkRound {
  wallMs: number;
  tree: DaemonSnapshot;
  requests: RecordedRequest[];
}

type Variant = () => Promise<WalkRound | undefined>;

/** The depth-1 levels a walk opened without error, and how many of them are ours. */
function opened(tree: DaemonSnapshot): { names: string[]; ours: number; failed: string[] } {
  const levels = tree.containers.filter((c) => c.level);
  const ok = levels.filter((c) => c.level!.error === null);
  return {
    names: ok.map((c) => c.name),
    ours: ok.filter((c) => c.name.startsWith(SIBLING_PREFIX)).length,
    failed: levels.filter((c) => c.level!.error !== null).map((c) => `${c.name}: ${c.level!.error}`),
  };
}

/** One cold walk of the host to depth 1 with fresh clients. */
async function coldWalk(parallelOpens?: number, certificateRoute?: CertificateRoute): Promise<WalkRound> {
  const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000, certificateRoute });
  const rec = recordRequests();
  try {
    const t = performance.now();
    const tree = await snapshotDaemon(levels, levels.roots()[0], { depth: 1, parallelOpens });
    return { wallMs: performance.now() - t, tree, requests: rec.stop() };
  } finally {
    rec.stop();
    levels.dispose();
  }
}

/** Starts the siblings, START_PARALLEL at a time; any failure throws (what started is removed by the caller). */
async function startSiblings(ctx: BenchContext, mode: LevelMode, tag: string): Promise<StartedLevel[]> {
  const root = ctx.daemons[0];
  const failures: string[] = [];
  const started = await inBatches(Array.from({ length: COUNT }, (_, i) => i), START_PARALLEL, async (i) => {
    try {
      const s = await startLevel(ctx.levels, root, {
        image: DIND_IMAGE, name: `${SIBLING_PREFIX}${tag}-${process.pid}-${String(i).padStart(2, '0')}`, mode,
        labels: { [BENCH_LABEL_KEY]: 'bench' }, pull: false, readyTimeoutMs: 120_000,
      });
      // Answered; the walks use fresh clients, so this one's go now.
      ctx.levels.close(s.level.id);
      return s;
    } catch (err) {
      failures.push((err as Error).message);
      return undefined;
    }
  });
  if (failures.length) throw new Error(`${failures.length} of ${COUNT} siblings did not start: ${failures[0]}`);
  return started.filter((s): s is StartedLevel => !!s);
}

/** Builds the CLI bundle (production, as shipped) outside out/; undefined when the build fails. */
function buildCli(): string | undefined {
  try {
    execFileSync(process.execPath, [path.join(REPO, 'esbuild.mjs'), '--production', '--only=cli', `--outdir=${CLI_OUT}`],
      { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    return path.join(CLI_OUT, 'cli.js');
  } catch {
    return undefined;
  }
}

/** `docker-levels tree --depth 1 --json` as a new process; its exit code is 1 when any level has an error, so only a crash rejects. */
function cliTree(cli: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, 'tree', '--depth', '1', '--json'], { timeout: 120_000, maxBuffer: 64 << 20 }, (err, stdout) => {
      if (err && !stdout.startsWith('{')) reject(err); else resolve();
    });
  });
}

/** The variants every set runs: the core's walk at the default bound, the docker CLI, raw requests. */
function baseVariants(names: readonly string[], warm: Levels, targets: readonly DaemonLevel[]): Record<string, Variant> {
  return {
    core: () => coldWalk(),
    dockerCli: async () => {
      await Promise.all([docker(['ps', '-a']), ...names.map((n) => docker(['exec', n, 'docker', 'ps', '-a']))]);
      return undefined;
    },
    raw: async () => {
      const host = await rawConnectionTo(warm.roots()[0]);
      try { await host.getJson('/containers/json?all=1'); } finally { host.close(); }
      await Promise.all(targets.map(async (l) => {
        const c = await rawConnectionTo(l);
        try { await c.getJson('/info'); await c.getJson('/containers/json?all=1'); } finally { c.close(); }
      }));
      return undefined;
    },
  };
}

/** Runs the variants interleaved; returns the times per variant and the walks of those that walk. */
async function interleave(ctx: BenchContext, label: string, variants: Record<string, Variant>) {
  ctx.log(`item 14: ${label}: ${ROUNDS} interleaved rounds (after a warm-up) of ${Object.keys(variants).join(', ')}`);
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const walks: Record<string, WalkRound[]> = {};
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [k, run] of Object.entries(variants)) {
      const t = performance.now();
      const result = await run();
      if (round === 0) continue;
      times[k].push(result?.wallMs ?? performance.now() - t);
      if (result) (walks[k] ??= []).push(result);
    }
  }
  return { times, walks };
}

/** One set of siblings: start, measure, and (for the TLS set) the costs of keeping them open; always removed. */
async function measureSet(ctx: BenchContext, mode: 'auto' | 'plain', details: Record<string, unknown>): Promise<Row[]> {
  const root = ctx.daemons[0];
  const tag = mode === 'auto' ? 'tls' : 'plain';
  const set = mode === 'auto' ? 'TLS siblings (Start DinD default)' : 'plaintext siblings';
  const rows: Row[] = [];
  const t0 = performance.now();
  try {
    ctx.log(`item 14: starting ${COUNT} ${set} on the host, ${START_PARALLEL} at a time`);
    const started = await startSiblings(ctx, mode, tag);
    details.start = { ms: performance.now() - t0, privilege: [...new Set(started.map((s) => s.privilege))], mode: [...new Set(started.map((s) => s.mode))],
      readyMs: summarize(started.map((s) => s.readyMs)) };
    ctx.log(`item 14: ${started.length} siblings answer (${((performance.now() - t0) / 1000).toFixed(1)} s, ${started[0].mode}, ${started[0].privilege})`);
    const ids = started.map((s) => s.containerId);

    // Routes and certificates for the raw client, and the level names for the CLI: from one warm walk.
    const warm = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000 });
    try {
      const first = opened(await snapshotDaemon(warm, warm.roots()[0], { depth: 1 }));
      if (first.ours !== COUNT) throw new Error(`the first walk opened ${first.ours} of ${COUNT} siblings: ${first.failed.slice(0, 3).join('; ')}`);
      const targets = warm.openLevels().filter((l) => l.depth === 1 && first.names.includes(l.container?.name ?? ''));
      const variants = baseVariants(first.names, warm, targets);
      if (mode === 'auto') {
        const reads = (route: CertificateRoute) => async () => {
          await Promise.all(ids.map((id) => readClientCertsFromContainer(root.docker, id, 30_000, undefined, undefined, route)));
          return undefined;
        };
        variants.certificateReads = reads('exec');
        variants.certificateReadsArchive = reads('archive');
        variants.coreArchive = () => coldWalk(undefined, 'archive');
        const cli = buildCli();
        if (cli) variants.cliProcess = async () => { await cliTree(cli); return undefined; };
      } else {
        variants.bound2 = () => coldWalk(2);
        variants.unbounded = () => coldWalk(1000);
      }
      const { times, walks } = await interleave(ctx, set, variants);
      const fig = ms(median(times.core));
      const everyRound = walks.core.map((w) => opened(w.tree));
      const last = walks.core[walks.core.length - 1];
      const byKind = countByKind(last.requests);
      const others = first.names.filter((n) => !n.startsWith(SIBLING_PREFIX));
      rows.push({
        item: 14, name: `CI host, ${set}: cold tree to depth 1, every level opened`, figure: fig,
        baseline: { label: 'docker CLI', value: ms(median(times.dockerCli)) }, ratio: ratioOf(fig, ms(median(times.dockerCli)), '× faster', true),
        target: `≤ ${TARGET_MS} ms`, pass: fig.value <= TARGET_MS && everyRound.every((o) => o.ours === COUNT && o.failed.length === 0),
        note: `${first.names.length} levels at depth 1 (${COUNT} siblings + ${others.length} others: ${others.join(', ')}), opens bound ${WALK_PARALLEL_OPENS}, `
          + `${everyRound.map((o) => o.ours).join('/')} siblings opened per round; ${last.requests.length} requests: `
          + Object.entries(byKind).map(([k, n]) => `${n}× ${k}`).join(', ')
          + '; CLI = docker ps -a on the host + docker exec L docker ps -a for each level, all at once',
      });
      rows.push({
        item: 14, name: `CI host, ${set}: cold tree vs raw Engine API`, figure: fig,
        baseline: { label: 'raw', value: ms(median(times.raw)) }, ratio: ratioOf(fig, ms(median(times.raw)), '× raw'),
        note: `raw: routes${mode === 'auto' ? ' and certificates' : ''} known, a new connection per level + GET /info + GET /containers/json, all at once; no inspect${mode === 'auto' ? ', no certificate read' : ''}`,
      });
      if (times.certificateReads) {
        const exec = ms(median(times.certificateReads));
        const archive = ms(median(times.certificateReadsArchive));
        rows.push({ item: 14, name: `CI host, ${set}: the ${COUNT} certificate reads alone (one exec each)`, figure: exec,
          baseline: { label: 'archive reads', value: archive }, ratio: ratioOf(exec, archive, '× archive'),
          note: 'POST /containers/{id}/exec + start of sh -c cat ca.pem cert.pem key.pem on the host daemon, all at once (the core\'s reader, as the walk calls it), '
            + 'against GET /containers/{id}/archive?path=/certs/client, all at once' });
        rows.push({ item: 14, name: `CI host, ${set}: the ${COUNT} certificate reads alone, vs the cold tree`, figure: exec,
          baseline: { label: 'cold tree', value: fig }, ratio: ratioOf(exec, fig, '× cold tree') });
        const old = ms(median(times.coreArchive));
        rows.push({ item: 14, name: `CI host, ${set}: cold tree, certificates by the archive API`, figure: old,
          baseline: { label: 'by exec', value: fig }, ratio: ratioOf(old, fig, '× by exec'),
          note: `${walks.coreArchive.map((w) => opened(w.tree).ours).join('/')} siblings opened per round; the walk before this change read every level's certificates so` });
      }
      if (times.cliProcess) {
        rows.push({ item: 14, name: `CI host, ${set}: docker-levels tree --depth 1 --json, a cold process`, figure: ms(median(times.cliProcess)),
          note: 'node start, bundle load, the walk with health reads (bridge MTU per level), JSON out' });
      }
      for (const [k, label] of [['bound2', 'bound 2'], ['unbounded', 'unbounded']] as const) {
        if (!times[k]) continue;
        const v = ms(median(times[k]));
        rows.push({ item: 14, name: `CI host, ${set}: cold tree, opens ${label}`, figure: v, baseline: { label: `bound ${WALK_PARALLEL_OPENS}`, value: fig },
          ratio: ratioOf(v, fig, `× bound ${WALK_PARALLEL_OPENS}`), note: `${walks[k].map((w) => opened(w.tree).ours).join('/')} siblings opened per round` });
      }
      Object.assign(details, {
        levelsAtDepth1: first.names, ms: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summarize(v)])),
        requestsByKind: byKind, requestsPerRound: walks.core.map((w) => w.requests.length), failedPerRound: everyRound.map((o) => o.failed),
      });
    } finally {
      warm.dispose();
    }
    if (mode === 'auto') {
      rows.push(await idleWithSiblingsWatched(ctx, ids, details));
      rows.push(...await heapPerOpenLevel(ctx, ids, details));
      const why = activationUnavailable();
      rows.push(why
        ? { item: 14, name: 'CI host: extension-host heap per open level', missing: `not measured in the extension host: ${why}` }
        : await extensionHostHeap(ctx, `${SIBLING_PREFIX}${tag}-`, COUNT, details));
    }
    return rows;
  } finally {
    const t = performance.now();
    const removed = await removeBenchContainers(root, `${SIBLING_PREFIX}${tag}-`);
    details.removed = { containers: removed, ms: performance.now() - t };
    ctx.log(`item 14: removed ${removed} ${set} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

export async function siblingLevels(ctx: BenchContext): Promise<Row[]> {
  const tls: Record<string, unknown> = {};
  const plain: Record<string, unknown> = {};
  ctx.details.siblingLevels = { tls, plain };
  return [...await measureSet(ctx, 'auto', tls), ...await measureSet(ctx, 'plain', plain)];
}
