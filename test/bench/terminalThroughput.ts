/**
 * Item 7: 50 MB through an exec session at depth 3 (the core's openExecSession, no TTY), against
 * the docker CLI's `docker exec` into a container at depth 1, and the CLI chain at depth 3.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { openExecSession } from '../../src/core';
import { BenchContext, chainArgs, chainTo } from './benchContext';
import { BENCH_PREFIX, benchContainers } from './benchContainers';
import { Row } from './report';
import { median, summarize } from './stats';

const BYTES = 50_000_000;
const ROUNDS = 3;
const CMD = ['head', '-c', String(BYTES), '/dev/zero'];

function mbps(ms: number): number {
  return BYTES / 1e6 / (ms / 1000);
}

/** Runs the docker CLI and counts its stdout bytes; resolves with the milliseconds taken. */
function timeCliStream(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { bytes += c.length; });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || bytes !== BYTES) reject(new Error(`docker ${args.join(' ')}: exit ${code}, ${bytes} bytes: ${stderr.trim()}`));
      else resolve(performance.now() - t);
    });
  });
}

async function leafAt(ctx: BenchContext, depth: number): Promise<{ id: string; name: string }> {
  const [leaf] = await benchContainers(ctx.daemons[depth], `${BENCH_PREFIX}leaf-`);
  if (!leaf) throw new Error(`no bench leaf container at depth ${depth}`);
  return leaf;
}

export async function terminalThroughput(ctx: BenchContext): Promise<Row[]> {
  const level3 = ctx.daemons[3];
  const leaf3 = await leafAt(ctx, 3);
  const leaf1 = await leafAt(ctx, 1);
  ctx.log(`item 7: 50 MB through an exec session at depth 3 (${level3.transport.kind}), ${ROUNDS} rounds`);
  const core: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const session = await openExecSession(level3, leaf3.id, { cmd: CMD });
    let bytes = 0;
    session.stdout.on('data', (c: Buffer) => { bytes += c.length; });
    session.stdin.end();
    await new Promise<void>((resolve, reject) => {
      session.stdout.on('end', resolve);
      session.stdout.on('error', reject);
    });
    core.push(performance.now() - t);
    const code = await session.exitCode;
    session.dispose();
    if (bytes !== BYTES || code !== 0) throw new Error(`exec session at depth 3 gave ${bytes} bytes, exit ${code}`);
  }
  const variants: { name: string; args: string[] }[] = [];
  const tcp = ctx.daemons[1].transport.tcpRoute;
  if (tcp?.startsWith('tcp://')) variants.push({ name: 'docker -H tcp:// exec at depth 1', args: ['-H', tcp, 'exec', leaf1.name, ...CMD] });
  variants.push({ name: 'docker exec chain at depth 1', args: chainArgs(chainTo(ctx.bed, 1), ['exec', leaf1.name, ...CMD]) });
  variants.push({ name: 'docker exec chain at depth 3', args: chainArgs(chainTo(ctx.bed, 3), ['exec', leaf3.name, ...CMD]) });
  const cli: Record<string, number[]> = {};
  for (const v of variants) {
    ctx.log(`item 7: ${v.name}, ${ROUNDS} rounds`);
    cli[v.name] = [];
    for (let i = 0; i < ROUNDS; i++) cli[v.name].push(await timeCliStream(v.args));
  }
  const figure = mbps(median(core));
  ctx.details.terminalThroughput = {
    bytes: BYTES, transportDepth3: level3.transport, coreMs: summarize(core),
    cliMs: Object.fromEntries(Object.entries(cli).map(([k, v]) => [k, summarize(v)])),
  };
  return variants.map((v) => {
    const base = mbps(median(cli[v.name]));
    return {
      item: 7, name: `terminal 50 MB at depth 3 vs ${v.name}`, figure: { value: figure, unit: 'MB/s' as const },
      baseline: { label: 'CLI', value: { value: base, unit: 'MB/s' as const } }, ratio: { value: figure / base, reads: '× CLI' },
    };
  });
}
