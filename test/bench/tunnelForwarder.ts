/**
 * Item 9: tunnels under load. A forwarder to level 3 reached by exec tunnels only (host → L1 →
 * L2 → L3), in its pooled mode: one request, then 50 at once, in the same run, driven two ways:
 * raw Engine API requests (Node's http client, a connection each) and the docker CLI. The CLI
 * is also run 50 at once against the host's own daemon: what 50 CLI processes cost here anyway.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { LevelForwarder, Levels, resolveLocalEndpoint } from '../../src/core';
import { openBedLevel } from '../integration/testBed';
import type { BenchContext } from './benchContext';
import { ms, ratioOf, Row } from './report';
import { median } from './stats';

const PARALLEL = 50;
const SINGLE_ROUNDS = 3;
const HOST_SOCKET = 'unix:///var/run/docker.sock';

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

/** GET /containers/json on a connection of its own, as a raw Engine API client does. */
function rawList(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/containers/json', agent: false, timeout: 120_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

interface Burst { one: number; all: number; failures: number; singleFailures: number }

/** One call (median of a few), then PARALLEL at once. */
async function burst(call: () => Promise<boolean>): Promise<Burst> {
  await call();
  const single: number[] = [];
  let singleFailures = 0;
  for (let i = 0; i < SINGLE_ROUNDS; i++) {
    const t = performance.now();
    if (!await call()) singleFailures++;
    single.push(performance.now() - t);
  }
  const t = performance.now();
  const results = await Promise.all(Array.from({ length: PARALLEL }, call));
  return { one: median(single), all: performance.now() - t, failures: results.filter((ok) => !ok).length, singleFailures };
}

function rows(label: string, b: Burst): Row[] {
  const one = ms(b.one);
  const all = ms(b.all);
  const ratio = ratioOf(all, one, '× one');
  return [
    { item: 9, name: `one ${label}`, figure: one, note: `median of ${SINGLE_ROUNDS}; ${b.singleFailures} failed` },
    {
      item: 9, name: `${PARALLEL} parallel ${label}`, figure: all, baseline: { label: 'one', value: one }, ratio,
      target: '≤ 3× one, 0 failures', pass: b.failures === 0 && !!ratio && ratio.value <= 3, note: `${b.failures} of ${PARALLEL} failed`,
    },
  ];
}

export async function tunnelForwarder(ctx: BenchContext): Promise<Row[]> {
  const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000, transportOrder: ['tunnel'] });
  try {
    const level = await openBedLevel(levels, 3);
    if (level.transport.kind !== 'tunnel' || level.parent?.transport.kind !== 'tunnel') throw new Error('level 3 was not reached by tunnels only');
    const forwarder = await LevelForwarder.start(level);
    try {
      ctx.log(`item 9: raw Engine API requests, one then ${PARALLEL} parallel, through the forwarder`);
      const raw = await burst(() => rawList(forwarder.socketPath));
      ctx.log(`item 9: docker ps, one then ${PARALLEL} parallel, through the forwarder`);
      const cli = await burst(() => dockerPs(forwarder.dockerHost));
      ctx.log(`item 9: docker ps, ${PARALLEL} parallel, on the host's own daemon`);
      const host = await burst(() => dockerPs(HOST_SOCKET));
      const cliAll = ms(cli.all);
      const hostAll = ms(host.all);
      ctx.details.tunnelForwarder = { parallel: PARALLEL, raw, cli, hostCli: host, streamsOpened: forwarder.upstreamStreamsOpened, failedRequests: forwarder.failedConnections };
      return [
        ...rows('raw GET /containers/json, forwarder to tunnel-only L3', raw),
        ...rows('docker ps, forwarder to tunnel-only L3', cli),
        {
          item: 9, name: `${PARALLEL} parallel docker ps, forwarder vs the host's own socket`, figure: cliAll,
          baseline: { label: 'host', value: hostAll }, ratio: ratioOf(cliAll, hostAll, '× host'),
          note: `host: ${host.failures} of ${PARALLEL} failed; ${forwarder.upstreamStreamsOpened} upstream streams opened in all`,
        },
      ];
    } finally {
      await forwarder.stop();
    }
  } finally {
    levels.dispose();
  }
}
