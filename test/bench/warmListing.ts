/**
 * Item 1: warm listing of a daemon's containers at depths 1–3 through the core, against a raw
 * keep-alive request over the same transport, the `docker exec` chain, and `docker -H tcp://`.
 */
import { BenchContext, chainArgs, chainTo, rawConnectionTo, timeDocker } from './benchContext';
import { ms, ratioOf, Row } from './report';
import { interleaved, median, summarize } from './stats';

const ROUNDS = 200;
const CLI_ROUNDS = 5;
const LIST_PATH = '/containers/json?all=true';

export async function warmListing(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  const cliRows: Row[] = [];
  const details: Record<string, unknown> = {};
  for (const depth of [1, 2, 3]) {
    const level = ctx.daemons[depth];
    const transport = `${level.transport.kind}`;
    ctx.log(`item 1: depth ${depth} (${transport}): core vs raw, ${ROUNDS} rounds`);
    const raw = await rawConnectionTo(level);
    let samples;
    try {
      samples = await interleaved({
        core: () => level.listContainers(true),
        raw: () => raw.getJson(LIST_PATH),
      }, ROUNDS, 20);
    } finally {
      raw.close();
    }
    const core = ms(median(samples.core));
    const rawMs = ms(median(samples.raw));
    rows.push({
      item: 1, name: `warm listing, depth ${depth} (${transport})`, figure: core,
      baseline: { label: 'raw', value: rawMs }, ratio: ratioOf(core, rawMs, '× raw'),
      target: '≤ 1.3× raw', pass: core.value <= 1.3 * rawMs.value,
    });

    const chain = chainTo(ctx.bed, depth);
    ctx.log(`item 1: depth ${depth}: docker exec chain, ${CLI_ROUNDS} runs`);
    const chainMs: number[] = [];
    for (let i = 0; i < CLI_ROUNDS; i++) chainMs.push(await timeDocker(chainArgs(chain, ['ps', '-a'])));
    const chainMedian = ms(median(chainMs));
    const vsChain: Row = {
      item: 1, name: `warm listing, depth ${depth}, vs docker exec chain`, figure: core,
      baseline: { label: 'chain', value: chainMedian }, ratio: ratioOf(core, chainMedian, '× faster', true),
    };
    if (depth === 3) {
      vsChain.target = '≥ 100× faster';
      vsChain.pass = (vsChain.ratio?.value ?? 0) >= 100;
    }
    cliRows.push(vsChain);

    let tcpMs: number[] | undefined;
    if (level.transport.tcpRoute?.startsWith('tcp://')) {
      tcpMs = [];
      for (let i = 0; i < CLI_ROUNDS; i++) tcpMs.push(await timeDocker(['-H', level.transport.tcpRoute, 'ps', '-a']));
      const tcpMedian = ms(median(tcpMs));
      cliRows.push({
        item: 1, name: `warm listing, depth ${depth}, vs docker -H tcp://`, figure: core,
        baseline: { label: 'docker -H', value: tcpMedian }, ratio: ratioOf(core, tcpMedian, '× faster', true),
      });
    } else {
      cliRows.push({ item: 1, name: `warm listing, depth ${depth}, vs docker -H tcp://`, figure: core,
        baseline: { label: 'docker -H' }, note: 'no TCP route to this level (exec tunnel only): no docker -H baseline' });
    }
    details[`depth${depth}`] = {
      transport: level.transport, core: summarize(samples.core), raw: summarize(samples.raw),
      dockerExecChain: summarize(chainMs), dockerTcp: tcpMs ? summarize(tcpMs) : null,
    };
  }
  ctx.details.warmListing = details;
  return [...rows, ...cliRows];
}
