/**
 * Item 3: the exec tunnel. Every level reached by tunnel only (host → L1 → L2 → L3, one exec
 * hop each). At each depth: the first request on a new tunnel (its parents warm) and warm
 * requests, through the core, against a raw request over a tunnel stream of the same agent.
 */
import { performance } from 'node:perf_hooks';
import { createDockerClient, DaemonLevel, destroyDockerClient, ExecTunnelAgent, Levels, resolveLocalEndpoint, silentLogger } from '../../src/core';
import { openBedLevel } from '../integration/testBed';
import type { BenchContext } from './benchContext';
import { RawHttpConnection } from './rawHttp';
import { ms, ratioOf, Row, Value } from './report';
import { interleaved, median, summarize } from './stats';

const FIRST_ROUNDS = 5;
const WARM_ROUNDS = 100;
const SPARE_ROUNDS = 10;
const LIST_PATH = '/containers/json?all=true';

export async function tunnelRequests(ctx: BenchContext): Promise<Row[]> {
  const levels = new Levels([resolveLocalEndpoint()], { timeoutMs: 30_000, transportOrder: ['tunnel'] });
  const firstRows: Row[] = [];
  const warmRows: Row[] = [];
  const spareRows: Row[] = [];
  const details: Record<string, unknown> = {};
  try {
    const coldStart = performance.now();
    const deepest = await openBedLevel(levels, 3);
    await deepest.listContainers(true);
    details.coldChainToDepth3Ms = performance.now() - coldStart;
    for (const depth of [1, 2, 3]) {
      const level = await openBedLevel(levels, depth);
      if (level.transport.kind !== 'tunnel') throw new Error(`${level.path} was reached by ${level.transport.kind}, not by tunnel`);
      const parent = level.parent!;
      const container = level.container!;
      ctx.log(`item 3: depth ${depth}: first requests on new tunnels, ${FIRST_ROUNDS} rounds`);
      const coreFirst: number[] = [];
      const rawFirst: number[] = [];
      for (let i = 0; i < FIRST_ROUNDS; i++) {
        const agent = new ExecTunnelAgent(parent.docker, container.id, 30_000, silentLogger, container.name);
        const docker = createDockerClient({ kind: 'agent', agent, description: 'exec tunnel' });
        let t = performance.now();
        await docker.listContainers({ all: true });
        coreFirst.push(performance.now() - t);
        destroyDockerClient(docker);

        const rawAgent = new ExecTunnelAgent(parent.docker, container.id, 30_000, silentLogger, container.name);
        t = performance.now();
        const conn = new RawHttpConnection(await rawAgent.openStream());
        await conn.getJson(LIST_PATH);
        rawFirst.push(performance.now() - t);
        conn.close();
        rawAgent.destroy();
      }
      const cf = ms(median(coreFirst));
      const rf = ms(median(rawFirst));
      firstRows.push({
        item: 3, name: `tunnel first request, depth ${depth}`, figure: cf,
        baseline: { label: 'raw', value: rf }, ratio: ratioOf(cf, rf, '× raw'),
        note: depth === 1 ? 'a new exec of `docker system dial-stdio` through the (warm) parent, then GET /containers/json' : undefined,
      });

      ctx.log(`item 3: depth ${depth}: warm requests, ${WARM_ROUNDS} rounds`);
      const agent = (level.docker.modem as unknown as { agent: ExecTunnelAgent }).agent;
      const conn = new RawHttpConnection(await agent.openStream());
      let warm;
      try {
        warm = await interleaved({ core: () => level.listContainers(true), raw: () => conn.getJson(LIST_PATH) }, WARM_ROUNDS, 10);
      } finally {
        conn.close();
      }
      const cw = ms(median(warm.core));
      const rw = ms(median(warm.raw));
      warmRows.push({
        item: 3, name: `tunnel warm request, depth ${depth}`, figure: cw, baseline: { label: 'raw', value: rw },
        ratio: ratioOf(cw, rw, '× raw'), target: '≤ 2× raw', pass: cw.value <= 2 * rw.value,
      });
      details[`depth${depth}`] = {
        first: { core: summarize(coreFirst), raw: summarize(rawFirst) },
        warm: { core: summarize(warm.core), raw: summarize(warm.raw) },
      };
      if (depth === 3) spareRows.push(...await newConnectionWithSpare(ctx, level, agent, cw, details));
    }
  } finally {
    levels.dispose();
  }
  ctx.details.execTunnel = details;
  return [...firstRows, ...warmRows, ...spareRows];
}

/**
 * A new connection on a followed (warm) tunnel level: held here as its event subscription holds a
 * spare stream (ExecTunnelAgent.keepSpare), so the connection skips starting dial-stdio at
 * every hop. In each round an open event stream holds the kept-alive socket, as a second
 * client's request meets a level whose connection is busy.
 */
async function newConnectionWithSpare(ctx: BenchContext, level: DaemonLevel, agent: ExecTunnelAgent, warm: Value,
  details: Record<string, unknown>): Promise<Row[]> {
  ctx.log(`item 3: depth 3: new connections with a spare ready, ${SPARE_ROUNDS} rounds`);
  const hold = level.keepStreamReady();
  const samples: number[] = [];
  const takenBefore = agent.sparesTaken;
  try {
    for (let i = 0; i < SPARE_ROUNDS; i++) {
      const readyBy = performance.now() + 30_000;
      while (!agent.spareIsReady && performance.now() < readyBy) await new Promise((r) => setTimeout(r, 20));
      // A stream that stays open (as a terminal's or `logs -f`) holds the kept-alive socket:
      // the request needs a connection of its own.
      const held = await level.docker.getEvents({ filters: { type: ['container'] } }) as NodeJS.ReadableStream & { destroy(): void };
      try {
        const t = performance.now();
        await level.listContainers(true);
        samples.push(performance.now() - t);
      } finally {
        held.destroy();
      }
    }
  } finally {
    hold.dispose();
  }
  const taken = agent.sparesTaken - takenBefore;
  const figure = ms(median(samples));
  details.newConnectionWithSpare = { samples: summarize(samples), sparesTaken: taken, rounds: SPARE_ROUNDS };
  return [{
    item: 3, name: 'tunnel new connection on a warm level (spare ready), depth 3', figure,
    baseline: { label: 'warm request', value: warm }, ratio: ratioOf(figure, warm, '× warm'), target: '≤ 2× warm',
    pass: taken === SPARE_ROUNDS && figure.value <= 2 * warm.value,
    note: `${taken}/${SPARE_ROUNDS} connections took the spare`,
  }];
}
