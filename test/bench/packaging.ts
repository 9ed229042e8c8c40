/**
 * Item 8: the size of the extension bundle that `npm run build:production` makes (built here
 * with the same build script, esbuild.mjs, into test-results/ so a dev build in out/ is left alone; its
 * flags stub gRPC/protobuf and ssh2, which nothing uses), the time
 * Node takes to load it, and activation in the real extension host.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Activation, activationUnavailable, measureActivation } from './activation';
import type { BenchContext } from './benchContext';
import { ms, Row, Value } from './report';
import { median, summarize } from './stats';

const REPO = path.resolve(__dirname, '..', '..');
const OUT = path.join(REPO, 'test-results', 'bench');
const LIMIT_BYTES = 1_000_000;
const LOAD_ROUNDS = 5;

/** Builds the named bundles with the repo's one build script, as `npm run build:production` does. */
function buildProduction(only: string, outdir: string, metafile?: string): void {
  const args = [path.join(REPO, 'esbuild.mjs'), '--production', `--only=${only}`, `--outdir=${outdir}`];
  if (metafile) args.push(`--metafile=${metafile}`);
  execFileSync(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Bytes in the output per package (or per source folder), largest first. */
function composition(metafile: string): Record<string, number> {
  const meta = JSON.parse(readFileSync(metafile, 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const by = new Map<string, number>();
  for (const out of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
      by.set(pkg, (by.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return Object.fromEntries([...by].sort((a, b) => b[1] - a[1]).slice(0, 12));
}

/** Milliseconds for a fresh Node to require the bundle (vscode stubbed; activate() not called). */
function loadTimes(bundle: string): number[] {
  const script = 'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';
  return Array.from({ length: LOAD_ROUNDS }, () => Number(execFileSync(process.execPath, ['-e', script, bundle], {
    encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' },
  })));
}

function mb(bytes: number): Value {
  return { value: bytes / 1e6, unit: 'MB' };
}

export async function packaging(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  // The bundles require 'vscode'; a stub next to them lets plain Node load them.
  mkdirSync(path.join(OUT, 'node_modules', 'vscode'), { recursive: true });
  writeFileSync(path.join(OUT, 'node_modules', 'vscode', 'index.js'), 'module.exports = new Proxy({}, { get: () => function () {} });\n');

  rmSync(path.join(OUT, 'bundle'), { recursive: true, force: true });
  const bundle = path.join(OUT, 'bundle', 'out', 'extension.js');
  ctx.log('item 8: building the extension bundle as build:production does');
  buildProduction('extension', path.dirname(bundle), path.join(OUT, 'bundle', 'meta.json'));
  const bytes = statSync(bundle).size;
  const load = loadTimes(bundle);
  details.bundle = { build: 'esbuild.mjs --production', bytes, loadMs: summarize(load), largest: composition(path.join(OUT, 'bundle', 'meta.json')) };
  rows.push({
    item: 8, name: 'bundle size, build:production', figure: mb(bytes), target: '≤ 1 MB', pass: bytes <= LIMIT_BYTES,
    note: `${bytes.toLocaleString('en-US')} bytes; ssh2 is left out (ssh:// roots run the system ssh)`,
  });
  rows.push({ item: 8, name: 'bundle load time in Node', figure: ms(median(load)),
    note: 'require() of the bundle in a fresh Node (vscode stubbed): code loading the extension host pays before activate()' });

  const unavailable = activationUnavailable();
  if (unavailable) {
    rows.push({ item: 8, name: 'activation in the extension host', target: '≤ 50 ms', missing: unavailable });
  } else {
    let activation: Activation | undefined;
    try {
      ctx.log('item 8: activation in code-server\'s extension host');
      activation = await measureActivation(bundle, ctx.log);
    } catch (err) {
      details.activationError = (err as Error).message;
    }
    details.activation = activation;
    if (activation) {
      const a = ms(median(activation.activateMs));
      rows.push({
        item: 8, name: 'activation in the extension host: activate() (build:production bundle)', figure: a,
        target: '≤ 50 ms', pass: a.value <= 50,
        note: `median of ${activation.activateMs.length} window loads (${activation.activateMs.join(', ')} ms), the extension's own "activated in N ms" line, in code-server`,
      });
      if (activation.loadToActivateMs.length) {
        rows.push({
          item: 8, name: 'activation: host loads the bundle until activate()', figure: ms(median(activation.loadToActivateMs)),
          note: 'median; the extension host\'s trace log, from _doActivateExtension to _callActivateOptional; it shares the thread with other extensions starting up',
        });
      }
    } else {
      rows.push({ item: 8, name: 'activation in the extension host', target: '≤ 50 ms',
        missing: `code-server run failed: ${String(details.activationError).split('\n')[0]}` });
    }
  }
  ctx.details.packaging = details;
  return rows;
}
