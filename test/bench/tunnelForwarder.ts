/**
 * Item 9: tunnels under load. A forwarder to level 3 reached by exec tunnels only (host → L1 →
 * L2 → L3), driven by the docker CLI: one `docker ps`, then 50 at once, in the same run.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { LevelForwarder, Levels, resolveLocalEndpoint } from '../../src/core';
import { openBedLevel } from '../integration/testBed';
import type { BenchContext } from './benchContext';
import { ms, ratioOf, Row } from './report';
import { median } from './stats';

const PARALLEL = 50;
const SINGLE_ROUNDS = 3;

function dockerPs(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: host };
    delete env.DOCKER_CONTEXT;
    const child = spawn('docker', ['ps', '-q'], { env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', () => resolve(false));
    child.on('exit', (code) => { clearTimeout(timer); resolve(code === 0); });
  });
}

export async function tunnelForwarder(ctx: BenchContext): Promise<Row[]> {
  const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000, transportOrder: ['tunnel'] });
  try {
    const level = await openBedLevel(levels, 3);
    if (level.transport.kind !== 'tunnel' || level.parent?.transport.kind !== 'tunnel') throw new Error('level 3 was not reached by tunnels only');
    const forwarder = await LevelForwarder.start(level);
    try {
      await dockerPs(forwarder.dockerHost);
      const single: number[] = [];
      let singleFailures = 0;
      for (let i = 0; i < SINGLE_ROUNDS; i++) {
        const t = performance.now();
        if (!await dockerPs(forwarder.dockerHost)) singleFailures++;
        single.push(performance.now() - t);
      }
      ctx.log(`item 9: ${PARALLEL} parallel docker ps through the forwarder`);
      const t = performance.now();
      const results = await Promise.all(Array.from({ length: PARALLEL }, () => dockerPs(forwarder.dockerHost)));
      const parallel = performance.now() - t;
      const failures = results.filter((ok) => !ok).length;
      const one = ms(median(single));
      const all = ms(parallel);
      const ratio = ratioOf(all, one, '× one');
      ctx.details.tunnelForwarder = { singleMs: single, parallelMs: parallel, parallel: PARALLEL, failures, singleFailures };
      return [
        { item: 9, name: 'one docker ps, forwarder to tunnel-only L3', figure: one, note: `median of ${SINGLE_ROUNDS}; ${singleFailures} failed` },
        {
          item: 9, name: `${PARALLEL} parallel docker ps, same forwarder`, figure: all, baseline: { label: 'one', value: one }, ratio,
          target: '≤ 3× one, 0 failures', pass: failures === 0 && !!ratio && ratio.value <= 3, note: `${failures} of ${PARALLEL} failed`,
        },
      ];
    } finally {
      await forwarder.stop();
    }
  } finally {
    levels.dispose();
  }
}
