/**
 * Item 11: a forwarded port at depth 3 (PortForward to busybox httpd in a leaf at level 3).
 * Warm latency of a small GET on a kept-alive connection through the forward, against the same
 * GET from inside level 3's dind container (busybox wget there) and through the docker exec
 * chain; 50 MB through the forward; 50 parallel requests, counting failures.
 */
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { PortForward } from '../../src/core';
import { BenchContext, chainArgs, chainTo, docker, timeDocker } from './benchContext';
import { BENCH_PREFIX } from './benchContainers';
import { ms, ratioOf, Row } from './report';
import { median, summarize } from './stats';

const NAME = `${BENCH_PREFIX}http3`;
const ROUNDS = 15;
const BIG = 50_000_000;

function get(agent: http.Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => { n += c.length; });
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`status ${res.statusCode}`))));
      res.on('error', reject);
    }).on('error', reject);
  });
}

export async function portForward(ctx: BenchContext): Promise<Row[]> {
  const level3 = ctx.daemons[3];
  const chain3 = chainTo(ctx.bed, 3);
  await docker(chainArgs(chain3, ['rm', '-f', NAME])).catch(() => undefined);
  await docker(chainArgs(chain3, ['run', '-d', '--name', NAME, '--label', 'docker-levels-test=bench', 'docker-levels-test/leaf:latest', 'sh', '-c',
    `mkdir -p /w && echo ok > /w/index.html && head -c ${BIG} /dev/zero > /w/big && exec httpd -f -p 80 -h /w`]));
  const id = (await docker(chainArgs(chain3, ['inspect', '--format', '{{.Id}} {{.NetworkSettings.IPAddress}}', NAME]))).trim().split(' ');
  const forward = await PortForward.start({ daemon: level3, containerId: id[0], port: 80 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    ctx.log(`item 11: warm GET through the forward at depth 3, ${ROUNDS} rounds`);
    await get(agent, forward.url);
    const fwd: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      await get(agent, forward.url);
      fwd.push(performance.now() - t);
    }
    // Inside level 3's dind container: wget from the namespace the relay runs in (process start included).
    const inside: number[] = [];
    const chain: number[] = [];
    for (let i = 0; i < 5; i++) {
      inside.push(await timeDocker(chainArgs(chainTo(ctx.bed, 2), ['exec', chain3[2], 'wget', '-q', '-O', '/dev/null', `http://${id[1]}/`])));
      chain.push(await timeDocker(chainArgs(chain3, ['exec', NAME, 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/'])));
    }
    ctx.log('item 11: 50 MB through the forward');
    const t = performance.now();
    const bytes = await get(agent, `${forward.url}big`);
    const bigMs = performance.now() - t;
    ctx.log('item 11: 50 parallel GETs');
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => get(new http.Agent(), forward.url)));
    const failures = results.filter((r) => r.status === 'rejected').length;
    ctx.details.portForward = { forwardMs: summarize(fwd), insideDindMs: summarize(inside), execChainMs: summarize(chain), bigBytes: bytes, bigMs, failures };
    const warm = ms(median(fwd));
    return [
      { item: 9, name: 'forwarded port, warm GET, depth 3, vs GET inside level 3\'s dind (wget)', figure: warm, baseline: { label: 'inside', value: ms(median(inside)) }, ratio: ratioOf(warm, ms(median(inside)), '× faster', true) },
      { item: 9, name: 'forwarded port, warm GET, depth 3, vs docker exec chain', figure: warm, baseline: { label: 'chain', value: ms(median(chain)) }, ratio: ratioOf(warm, ms(median(chain)), '× faster', true) },
      { item: 9, name: 'forwarded port, 50 MB at depth 3', figure: { value: bytes / 1e6 / (bigMs / 1000), unit: 'MB/s' }, note: bytes === BIG ? undefined : `got ${bytes} bytes` },
      { item: 9, name: 'forwarded port, 50 parallel GETs: failures', figure: { value: failures, unit: 'requests' }, target: '0', pass: failures === 0 },
    ];
  } finally {
    agent.destroy();
    await forward.stop();
    await docker(chainArgs(chain3, ['rm', '-f', NAME])).catch(() => undefined);
  }
}
