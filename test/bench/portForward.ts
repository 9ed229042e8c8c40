/**
 * Item 11: a forwarded port at depth 3 (PortForward to busybox httpd in a leaf at level 3).
 * Warm latency of a small GET on a kept-alive connection through the forward, against the same
 * GET from inside level 3's dind container (busybox wget there) and through the docker exec
 * chain; a GET on a new connection (each connection starts its own relay); 50 MB through the
 * forward against the same bytes through the docker exec chain; 50 parallel requests, each on
 * its own connection, counting failures.
 */
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { PortForward } from '../../src/core';
import { BenchContext, chainArgs, chainTo, docker, timeDocker } from './benchContext';
import { BENCH_PREFIX } from './benchContainers';
import { ms, ratioOf, Row } from './report';
import { median, summarize } from './stats';

const NAME = `${BENCH_PREFIX}http3`;
const ROUNDS = 15;
const FRESH_ROUNDS = 10;
/**
 * An HTTP/1.1 server with keep-alive in busybox sh (httpd closes after each answer), run by
 * `nc -ll -e` per connection: answers "ok" to every request on the connection. No fork per line.
 */
const KEEP_ALIVE_SERVER = 'CR=$(printf "\\r"); while read -r line; do if [ "$line" = "$CR" ] || [ -z "$line" ]; then printf "HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nConnection: keep-alive\\r\\n\\r\\nok\\n"; fi; done';
const BIG = 50_000_000;

/** GET, counting the body's bytes; without an agent, on a connection of its own. */
function get(agent: http.Agent | undefined, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: agent ?? false }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => { n += c.length; });
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`status ${res.statusCode}`))));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The docker CLI's stdout as bytes (the 50 MB through the exec chain). */
function dockerBuffer(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { timeout: 300_000, maxBuffer: 256 << 20, encoding: 'buffer' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`docker ${args.join(' ')}: ${stderr.toString() || err.message}`)); else resolve(stdout);
    });
  });
}

export async function portForward(ctx: BenchContext): Promise<Row[]> {
  const level3 = ctx.daemons[3];
  const chain3 = chainTo(ctx.bed, 3);
  await docker(chainArgs(chain3, ['rm', '-f', NAME])).catch(() => undefined);
  await docker(chainArgs(chain3, ['run', '-d', '--name', NAME, '--label', 'docker-levels-test=bench', 'docker-levels-test/leaf:latest', 'sh', '-c',
    `mkdir -p /w && echo ok > /w/index.html && head -c ${BIG} /dev/zero > /w/big && printf %s '${KEEP_ALIVE_SERVER}' > /w/ka.sh && `
    + '(nc -ll -p 8080 -e sh /w/ka.sh &) && exec httpd -f -p 80 -h /w']));
  const id = (await docker(chainArgs(chain3, ['inspect', '--format', '{{.Id}} {{.NetworkSettings.IPAddress}}', NAME]))).trim().split(' ');
  const forward = await PortForward.start({ daemon: level3, containerId: id[0], port: 80 });
  const warmForward = await PortForward.start({ daemon: level3, containerId: id[0], port: 8080 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const oneSocket = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    // busybox httpd closes every connection: the warm GET goes to the keep-alive server (port 8080).
    ctx.log(`item 11: warm GET through the forward at depth 3 (one kept-alive connection), ${ROUNDS} rounds`);
    await get(oneSocket, warmForward.url);
    const fwd: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      await get(oneSocket, warmForward.url);
      fwd.push(performance.now() - t);
    }
    const warmConnections = warmForward.totalConnections;
    // Inside level 3's dind container: wget from the namespace the relay runs in (process start included).
    const inside: number[] = [];
    const chain: number[] = [];
    for (let i = 0; i < 5; i++) {
      inside.push(await timeDocker(chainArgs(chainTo(ctx.bed, 2), ['exec', chain3[2], 'wget', '-q', '-O', '/dev/null', `http://${id[1]}:8080/`])));
      chain.push(await timeDocker(chainArgs(chain3, ['exec', NAME, 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'])));
    }
    // A new connection: its own relay (an exec in level 3's dind container), then the GET.
    ctx.log(`item 11: GET on a new connection each, ${FRESH_ROUNDS} rounds`);
    const fresh: number[] = [];
    for (let i = 0; i < FRESH_ROUNDS; i++) {
      const t = performance.now();
      await get(undefined, forward.url);
      fresh.push(performance.now() - t);
    }
    // The same without the spare relay: every new connection waits for its exec.
    const bare = await PortForward.start({ daemon: level3, containerId: id[0], port: 80, spareRelay: false });
    const freshBare: number[] = [];
    try {
      for (let i = 0; i < FRESH_ROUNDS; i++) {
        const t0 = performance.now();
        await get(undefined, bare.url);
        freshBare.push(performance.now() - t0);
      }
    } finally {
      await bare.stop();
    }
    ctx.log('item 11: 50 MB through the forward, and through the docker exec chain (cat)');
    let t = performance.now();
    const bytes = await get(agent, `${forward.url}big`);
    const bigMs = performance.now() - t;
    t = performance.now();
    const chainBytes = (await dockerBuffer(chainArgs(chain3, ['exec', NAME, 'cat', '/w/big']))).length;
    const chainBigMs = performance.now() - t;
    ctx.log('item 11: 50 parallel GETs, each on its own connection');
    t = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => get(undefined, forward.url)));
    const parallelMs = performance.now() - t;
    const failures = results.filter((r) => r.status === 'rejected').length;
    const firstFailure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason as Error | undefined;
    ctx.details.portForward = {
      forwardMs: summarize(fwd), warmConnections, newConnectionMs: summarize(fresh), newConnectionNoSpareMs: summarize(freshBare), insideDindMs: summarize(inside), execChainMs: summarize(chain),
      bigBytes: bytes, bigMs, chainBigBytes: chainBytes, chainBigMs, parallelMs, failures, firstFailure: firstFailure?.message,
      relayFailures: forward.failedConnections,
    };
    const warm = ms(median(fwd));
    const mbps = (n: number, took: number) => ({ value: n / 1e6 / (took / 1000), unit: 'MB/s' as const });
    return [
      { item: 11, name: 'forwarded port, warm GET (kept-alive), depth 3, vs GET inside level 3\'s dind (wget)', figure: warm, baseline: { label: 'inside', value: ms(median(inside)) }, ratio: ratioOf(warm, ms(median(inside)), '× faster', true), note: `wget includes its process start; ${warmConnections} connection(s) for ${ROUNDS + 1} GETs` },
      { item: 11, name: 'forwarded port, warm GET (kept-alive), depth 3, vs docker exec chain (wget)', figure: warm, baseline: { label: 'chain', value: ms(median(chain)) }, ratio: ratioOf(warm, ms(median(chain)), '× faster', true) },
      { item: 11, name: 'forwarded port, GET on a new connection (its relay starts), vs docker exec chain', figure: ms(median(fresh)), baseline: { label: 'chain', value: ms(median(chain)) }, ratio: ratioOf(ms(median(fresh)), ms(median(chain)), '× faster', true) },
      { item: 11, name: 'forwarded port, GET on a new connection, spare relay vs none (an exec per connection)', figure: ms(median(fresh)), baseline: { label: 'no spare', value: ms(median(freshBare)) }, ratio: ratioOf(ms(median(fresh)), ms(median(freshBare)), '× faster', true) },
      { item: 11, name: 'forwarded port, 50 MB at depth 3, vs docker exec chain (cat)', figure: mbps(bytes, bigMs), baseline: { label: 'chain', value: mbps(chainBytes, chainBigMs) }, ratio: ratioOf(mbps(bytes, bigMs), mbps(chainBytes, chainBigMs), '× chain'), note: bytes === BIG ? undefined : `got ${bytes} bytes` },
      { item: 11, name: 'forwarded port, 50 parallel GETs (new connections): failures', figure: { value: failures, unit: 'requests' }, target: '0', pass: failures === 0, note: `${(parallelMs / 1000).toFixed(1)} s for all 50${firstFailure ? `; first failure: ${firstFailure.message.slice(0, 120)}` : ''}` },
    ];
  } finally {
    agent.destroy();
    oneSocket.destroy();
    await Promise.all([forward.stop(), warmForward.stop()]);
    await docker(chainArgs(chain3, ['rm', '-f', NAME])).catch(() => undefined);
  }
}
