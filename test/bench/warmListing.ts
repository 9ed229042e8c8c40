/**
 * Item 1: warm listing of a daemon's containers at depths 1–3 through the core, against a raw
 * keep-alive request over the same transport, the `docker exec` chain, and `docker -H tcp://`.
 * Two core paths are measured: a listing request (what any call to the daemon costs), and the
 * tree's warm listing, answered by the daemon's live list (kept current by its event stream).
 */
import { LiveContainerList, silentLogger } from '../../src/core';
import { waitFor } from '../integration/faultBed';
import { BenchContext, chainArgs, chainTo, rawConnectionTo, timeDocker } from './benchContext';
import { ms, ratioOf, Row, Value } from './report';
import { recordRequests } from './requestLog';
import { interleaved, median, summarize } from './stats';

const ROUNDS = 200;
const WARMUP = 20;
const CLI_ROUNDS = 5;
const LIST_PATH = '/containers/json?all=true';

export async function warmListing(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  const cliRows: Row[] = [];
  const details: Record<string, unknown> = {};
  for (const depth of [1, 2, 3]) {
    const level = ctx.daemons[depth];
    const transport = `${level.transport.kind}`;
    ctx.log(`item 1: depth ${depth} (${transport}): core request, live list and raw, ${ROUNDS} rounds`);
    const raw = await rawConnectionTo(level);
    const live = new LiveContainerList(level, { log: silentLogger });
    let samples;
    let liveRequests = 0;
    try {
      await waitFor(() => live.isLive, 60_000, `the event stream of depth ${depth}`);
      await live.list(true);
      const recorder = recordRequests();
      try {
        samples = await interleaved({
          request: () => level.listContainers(true),
          raw: () => raw.getJson(LIST_PATH),
          live: async () => {
            const before = recorder.requests.length;
            await live.list(true);
            liveRequests += recorder.requests.length - before;
          },
        }, ROUNDS, WARMUP);
      } finally {
        recorder.stop();
      }
    } finally {
      raw.close();
      live.dispose();
    }
    const request = ms(median(samples.request));
    const rawMs = ms(median(samples.raw));
    const kept = ms(median(samples.live));
    rows.push({
      item: 1, name: `listing request, depth ${depth} (${transport})`, figure: request,
      baseline: { label: 'raw', value: rawMs }, ratio: ratioOf(request, rawMs, '× raw'),
      target: '≤ 1.3× raw', pass: request.value <= 1.3 * rawMs.value,
    });
    rows.push({
      item: 1, name: `warm listing (live list), depth ${depth}`, figure: kept,
      baseline: { label: 'raw', value: rawMs }, ratio: ratioOf(kept, rawMs, '× raw'),
      target: '≤ 1.3× raw', pass: kept.value <= 1.3 * rawMs.value,
      note: `${liveRequests} requests to the daemon in ${ROUNDS + WARMUP} live-list reads (nothing changed meanwhile)`,
    });

    const chain = chainTo(ctx.bed, depth);
    ctx.log(`item 1: depth ${depth}: docker exec chain, ${CLI_ROUNDS} runs`);
    const chainMs: number[] = [];
    for (let i = 0; i < CLI_ROUNDS; i++) chainMs.push(await timeDocker(chainArgs(chain, ['ps', '-a'])));
    const chainMedian = ms(median(chainMs));
    cliRows.push(...versusChain(depth, request, kept, rawMs, chainMedian));

    let tcpMs: number[] | undefined;
    if (level.transport.tcpRoute?.startsWith('tcp://')) {
      tcpMs = [];
      for (let i = 0; i < CLI_ROUNDS; i++) tcpMs.push(await timeDocker(['-H', level.transport.tcpRoute, 'ps', '-a']));
      const tcpMedian = ms(median(tcpMs));
      cliRows.push({
        item: 1, name: `listing request, depth ${depth}, vs docker -H tcp://`, figure: request,
        baseline: { label: 'docker -H', value: tcpMedian }, ratio: ratioOf(request, tcpMedian, '× faster', true),
      });
    } else {
      cliRows.push({ item: 1, name: `listing request, depth ${depth}, vs docker -H tcp://`, figure: request,
        baseline: { label: 'docker -H' }, note: 'no TCP route to this level (exec tunnel only): no docker -H baseline' });
    }
    details[`depth${depth}`] = {
      transport: level.transport, request: summarize(samples.request), raw: summarize(samples.raw),
      liveList: summarize(samples.live), liveListRequests: liveRequests,
      dockerExecChain: summarize(chainMs), dockerTcp: tcpMs ? summarize(tcpMs) : null,
    };
  }
  ctx.details.warmListing = details;
  return [...rows, ...cliRows];
}

/**
 * The chain rows. The ≥ 100× target is set at depth 3 on the tree's warm listing; the request
 * row says how far any request could go: the raw request's own ratio is its ceiling.
 */
function versusChain(depth: number, request: Value, kept: Value, raw: Value, chain: Value): Row[] {
  const rawRatio = ratioOf(raw, chain, '× faster', true);
  const requestRow: Row = {
    item: 1, name: `listing request, depth ${depth}, vs docker exec chain`, figure: request,
    baseline: { label: 'chain', value: chain }, ratio: ratioOf(request, chain, '× faster', true),
    note: depth === 3 ? `a raw request is ${rawRatio?.value.toFixed(0)}× faster than the chain here: no request can reach 100×` : undefined,
  };
  const keptRow: Row = {
    item: 1, name: `warm listing (live list), depth ${depth}, vs docker exec chain`, figure: kept,
    baseline: { label: 'chain', value: chain }, ratio: ratioOf(kept, chain, '× faster', true),
  };
  if (depth === 3) {
    keptRow.target = '≥ 100× faster';
    keptRow.pass = (keptRow.ratio?.value ?? 0) >= 100;
  }
  return [requestRow, keptRow];
}
