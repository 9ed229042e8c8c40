/**
 * Item 13: peak memory while a lying level sends a 2 GB body (issue 12: "A 2 GB body costs the
 * process less than 300 MB at peak"). The level is a FAKE daemon that lies
 * (test/support/fakeLyingDaemon.ts, 127.0.0.1 only): a real dockerd cannot be made to lie. The
 * CLI (out/cli.js, `npm run build`) runs `tree` against it in a process of its own, which
 * reports its peak RSS as it exits; the baseline is the same CLI against an honest, empty fake.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { startFakeLyingDaemon, type LyingAnswers } from '../support/fakeLyingDaemon';
import type { BenchContext } from './benchContext';
import { ratioOf, Row, Value } from './report';

const CLI = path.resolve(__dirname, '..', '..', 'out', 'cli.js');
const BODY_BYTES = 2 * 1024 ** 3;
const TARGET_MB = 300;

interface Run { code: number | null; maxRssMb: number; stdout: string }

/** `docker-levels tree --host URL` in a fresh Node, with its peak RSS. */
function cliTree(url: string): Promise<Run> {
  const boot = `process.on('exit',()=>process.stderr.write('\\nmaxrss-kb='+process.resourceUsage().maxRSS+'\\n'));`
    + `process.argv.splice(1,0,${JSON.stringify(CLI)});require(${JSON.stringify(CLI)});`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', boot, 'tree', '--host', url], { env: { ...process.env, DOCKER_HOST: '', NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /maxrss-kb=(\d+)/.exec(stderr);
      resolve({ code, stdout, maxRssMb: rss ? Number(rss[1]) / 1024 : NaN });
    });
  });
}

async function measure(answers: LyingAnswers): Promise<Run & { sentBytes: number }> {
  const fake = await startFakeLyingDaemon(answers);
  try {
    const run = await cliTree(fake.url);
    return { ...run, sentBytes: fake.hugeSent() };
  } finally {
    await fake.close();
  }
}

const mb = (value: number): Value => ({ value, unit: 'MB' });

export async function hostileBody(ctx: BenchContext): Promise<Row[]> {
  const baseline = await measure({ containers: [] });
  ctx.log(`honest empty level: peak RSS ${baseline.maxRssMb.toFixed(0)} MB`);
  const cases: { name: string; answers: LyingAnswers; expect: RegExp }[] = [
    { name: 'peak RSS, 2 GB container list', answers: { containers: 'huge', hugeBytes: BODY_BYTES }, expect: /larger than 64 MiB/ },
    {
      name: 'peak RSS, 2 GB container inspect',
      answers: {
        containers: [{ Id: 'd'.repeat(64), Names: ['/dind'], Image: 'docker:dind', State: 'running', Status: 'Up', Labels: {} }],
        routes: [{ match: /^GET \/containers\/d+\/json/, body: 'huge' }], hugeBytes: BODY_BYTES,
      },
      expect: /larger than 64 MiB/,
    },
  ];
  const rows: Row[] = [];
  const details: Record<string, unknown> = { baselineRssMb: baseline.maxRssMb };
  for (const c of cases) {
    const run = await measure(c.answers);
    const cut = c.expect.test(run.stdout);
    ctx.log(`${c.name}: ${run.maxRssMb.toFixed(0)} MB, the fake sent ${(run.sentBytes / 1024 ** 2).toFixed(0)} MiB, exit ${run.code}${cut ? '' : ' (no size error in the output!)'}`);
    details[c.name] = { maxRssMb: run.maxRssMb, sentBytes: run.sentBytes, exitCode: run.code, cutAtCap: cut };
    rows.push({
      item: 13, name: c.name, figure: mb(run.maxRssMb),
      baseline: { label: 'same CLI, honest empty level', value: mb(baseline.maxRssMb) },
      ratio: ratioOf(mb(run.maxRssMb), mb(baseline.maxRssMb), '× honest'),
      target: `< ${TARGET_MB} MB`, pass: cut && run.maxRssMb < TARGET_MB,
      note: `cut after ${(run.sentBytes / 1024 ** 2).toFixed(0)} MiB of 2048 (cap 64 MiB); exit ${run.code}`,
    });
  }
  ctx.details.hostileBody = details;
  return rows;
}
