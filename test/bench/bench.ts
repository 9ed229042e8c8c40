/**
 * `npm run bench`: Docker Levels against the raw Engine API and the docker CLI, at every depth
 * of the real test bed (issue 5). Prints a table and writes test-results/bench.json.
 * A benchmark, not a test: it exits 0 whatever the figures; only a crash fails it.
 *
 *   npm run bench                 every item
 *   npm run bench -- --only 1,3   some items (for working on one)
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { DaemonLevel, Levels, resolveLocalEndpoint } from '../../src/core';
import { bringUpBed, openBedLevel } from '../integration/testBed';
import { BenchContext } from './benchContext';
import { BENCH_PREFIX, ensureLeaves, removeBenchContainers } from './benchContainers';
import { coldDiscovery } from './coldDiscovery';
import { filesBench } from './files';
import { idleCost } from './idleCost';
import { packaging } from './packaging';
import { portForward } from './portForward';
import { formatTable, machine, missingRow, Row, writeJson } from './report';
import { scale } from './scale';
import { startDind } from './startDind';
import { statsCost } from './statsCost';
import { terminalThroughput } from './terminalThroughput';
import { tunnelForwarder } from './tunnelForwarder';
import { tunnelRequests } from './tunnelRequests';
import { warmListing } from './warmListing';
import { hostileBody } from './hostileBody';
import { siblingLevels } from './siblingLevels';

const REPO = path.resolve(__dirname, '..', '..');
export const RESULTS_FILE = path.join(REPO, 'test-results', 'bench.json');
/** Leaf containers per nested level for cold discovery (the bed has 2–3 of its own). */
const LEAVES_PER_LEVEL = 20;

interface Item {
  n: number;
  name: string;
  /** Needs the ~20 leaf containers per nested level. */
  needsLeaves?: boolean;
  run(ctx: BenchContext): Promise<Row[]>;
}

const ITEMS: Item[] = [
  { n: 1, name: 'warm listing', run: warmListing, needsLeaves: true },
  { n: 2, name: 'cold discovery', run: coldDiscovery, needsLeaves: true },
  { n: 3, name: 'exec tunnel', run: tunnelRequests, needsLeaves: true },
  { n: 7, name: 'terminal throughput', run: terminalThroughput, needsLeaves: true },
  { n: 4, name: 'scale', run: scale },
  { n: 5, name: 'idle cost', run: idleCost },
  { n: 6, name: 'start DinD here', run: startDind },
  { n: 8, name: 'packaging', run: packaging },
  { n: 9, name: 'tunnels under load', run: tunnelForwarder },
  { n: 10, name: 'files', run: filesBench },
  { n: 11, name: 'port forward', run: portForward },
  { n: 12, name: 'live stats cost', run: statsCost, needsLeaves: true },
  { n: 13, name: 'hostile body memory', run: hostileBody },
  { n: 14, name: 'CI host: 25 sibling levels', run: siblingLevels },
];

function selectedItems(argv: string[]): Set<number> {
  const i = argv.indexOf('--only');
  const list = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--only='))?.slice(7);
  return new Set(list ? list.split(',').map(Number) : ITEMS.map((x) => x.n));
}

/** The bed's daemons by depth, opened through `levels`. */
async function openBed(levels: Levels): Promise<DaemonLevel[]> {
  const daemons = [levels.roots()[0]];
  for (const depth of [1, 2, 3]) daemons.push(await openBedLevel(levels, depth));
  return daemons;
}

/** Every bed daemon answers; else (another engineer's fault test, a restarted daemon) bring it up again. */
async function ensureBed(ctx: BenchContext): Promise<void> {
  const ok = await Promise.all(ctx.daemons.map((d) => d.ping().then(() => true, () => false)));
  if (ok.every(Boolean) && !ctx.daemons.some((d) => d.isDisposed)) return;
  ctx.log('the bed stopped answering: bringing it up again');
  ctx.levels.dispose();
  ctx.bed = bringUpBed();
  ctx.levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000 });
  ctx.daemons = await openBed(ctx.levels);
}

async function main(): Promise<void> {
  const started = Date.now();
  const only = selectedItems(process.argv.slice(2));
  const log = (m: string) => process.stderr.write(`bench [${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${m}\n`);
  log('bringing up the test bed (test/testbed/up.sh)');
  const bed = bringUpBed();
  const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000 });
  const ctx: BenchContext = { bed, levels, daemons: await openBed(levels), details: {}, log };
  const rows: Row[] = [];
  const timings: Record<string, number> = {};
  let interrupted = false;
  const onSignal = () => { interrupted = true; log('interrupted: finishing the current item, then cleaning up'); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const item of ITEMS) {
      if (!only.has(item.n) || interrupted) continue;
      const t = Date.now();
      log(`item ${item.n}: ${item.name}`);
      try {
        await ensureBed(ctx);
        if (item.needsLeaves) {
          const added = (await Promise.all([1, 2, 3].map((d) => ensureLeaves(ctx.daemons[d], `${BENCH_PREFIX}leaf-`, LEAVES_PER_LEVEL))))
            .reduce((a, b) => a + b, 0);
          if (added) log(`added ${added} leaf containers at levels 1–3 (${LEAVES_PER_LEVEL} per level) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        }
        rows.push(...await item.run(ctx));
      } catch (err) {
        log(`item ${item.n} failed: ${(err as Error).stack ?? err}`);
        rows.push(missingRow(item.n, item.name, `the measurement failed: ${(err as Error).message.split('\n')[0]}`));
      }
      timings[`item${item.n}`] = Date.now() - t;
    }
  } finally {
    log('removing the benchmark containers');
    for (const d of ctx.daemons) {
      try {
        const n = await removeBenchContainers(d);
        if (n) log(`removed ${n} bench containers at depth ${d.depth}`);
      } catch (err) {
        log(`cleanup at depth ${d.depth} failed: ${(err as Error).message}`);
      }
    }
    ctx.levels.dispose();
  }
  rows.sort((a, b) => a.item - b.item);
  const date = new Date().toISOString();
  const table = formatTable(rows);
  const host = machine();
  process.stdout.write(`\nDocker Levels benchmark — ${date} — ${host.hostname}, ${host.cpus} cores, load ${host.loadAverage.join(' ')}\n\n${table}\n`);
  let dockerVersion: string | undefined;
  try {
    dockerVersion = execFileSync('docker', ['version', '--format', 'client {{.Client.Version}}, engine {{.Server.Version}}'], { encoding: 'utf8' }).trim();
  } catch {
    dockerVersion = undefined;
  }
  writeJson(RESULTS_FILE, {
    date, machine: machine(dockerVersion), durationMs: Date.now() - started,
    itemDurationsMs: timings, rows, table, details: ctx.details,
  });
  log(`wrote ${path.relative(REPO, RESULTS_FILE)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`bench crashed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
