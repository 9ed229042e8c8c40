/**
 * Item 8: the size of the extension bundle that `npm run build:production` makes (built here
 * with the same esbuild command, into test-results/ so a dev build in out/ is left alone), the
 * same with the proposed flags that keep gRPC/protobuf (stubbed) and ssh2 (loaded lazily) out,
 * the time Node takes to load each, and activation in the real extension host.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Activation, activationUnavailable, measureActivation } from './activation';
import type { BenchContext } from './benchContext';
import { ms, ratioOf, Row, Value } from './report';
import { median, summarize } from './stats';

const REPO = path.resolve(__dirname, '..', '..');
const OUT = path.join(REPO, 'test-results', 'bench');
const ESBUILD = path.join(REPO, 'node_modules', '.bin', 'esbuild');
const LIMIT_BYTES = 1_000_000;
const LOAD_ROUNDS = 5;

/** dockerode's BuildKit modules become a throwing stub; ssh2 a loader of out/ssh2.js. */
export const PROPOSED_FLAGS = [
  '--alias:@grpc/grpc-js=./src/bundling/buildkitUnavailable.js',
  '--alias:@grpc/proto-loader=./src/bundling/buildkitUnavailable.js',
  '--alias:protobufjs=./src/bundling/buildkitUnavailable.js',
  '--alias:ssh2=./src/bundling/lazySsh2.js',
];
export const SSH2_BUNDLE_ARGS = ['src/bundling/ssh2Bundle.js', '--bundle', '--platform=node', '--target=node20', '--format=cjs',
  '--log-level=warning', '--external:*.node', '--external:cpu-features', '--minify'];

/** Splits a shell command line into words (double and single quotes; no expansions). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] ?? m[3]);
  return words;
}

/** The esbuild arguments build:production uses for the extension bundle, without --outfile. */
export function productionExtensionArgs(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const script = pkg.scripts['build:production'];
  if (!script) throw new Error('package.json has no build:production script');
  const command = script.split('&&').map((c) => shellWords(c.trim())).find((w) => w[0] === 'esbuild' && w.includes('src/extension/extension.ts'));
  if (!command) throw new Error(`build:production does not build src/extension/extension.ts with esbuild: ${script}`);
  return command.slice(1).filter((a) => !a.startsWith('--outfile=') && !a.startsWith('--metafile='));
}

function esbuild(args: string[]): void {
  execFileSync(ESBUILD, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
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

  for (const d of ['bundle-current', 'bundle-proposed']) rmSync(path.join(OUT, d), { recursive: true, force: true });
  const args = productionExtensionArgs();
  const current = path.join(OUT, 'bundle-current', 'out', 'extension.js');
  ctx.log('item 8: building the extension bundle as build:production does');
  esbuild([...args, `--outfile=${current}`, `--metafile=${path.join(OUT, 'bundle-current', 'meta.json')}`]);
  const currentBytes = statSync(current).size;
  const currentLoad = loadTimes(current);
  details.current = { args, bytes: currentBytes, loadMs: summarize(currentLoad), largest: composition(path.join(OUT, 'bundle-current', 'meta.json')) };
  rows.push({
    item: 8, name: 'bundle size, build:production', figure: mb(currentBytes), target: '≤ 1 MB', pass: currentBytes <= LIMIT_BYTES,
    note: `${currentBytes.toLocaleString('en-US')} bytes`,
  });

  let proposed: string | undefined;
  if (!args.some((a) => a.startsWith('--alias:ssh2'))) {
    proposed = path.join(OUT, 'bundle-proposed', 'out', 'extension.js');
    ctx.log('item 8: building it with gRPC/protobuf stubbed and ssh2 split out');
    esbuild([...args, ...PROPOSED_FLAGS, `--outfile=${proposed}`, `--metafile=${path.join(OUT, 'bundle-proposed', 'meta.json')}`]);
    esbuild([...SSH2_BUNDLE_ARGS, `--outfile=${path.join(path.dirname(proposed), 'ssh2.js')}`]);
    const bytes = statSync(proposed).size;
    const sshBytes = statSync(path.join(path.dirname(proposed), 'ssh2.js')).size;
    const load = loadTimes(proposed);
    details.proposed = { flags: PROPOSED_FLAGS, bytes, ssh2Bytes: sshBytes, loadMs: summarize(load), largest: composition(path.join(OUT, 'bundle-proposed', 'meta.json')) };
    rows.push({
      item: 8, name: 'bundle size, proposed flags (gRPC/protobuf stubbed, ssh2 lazy)', figure: mb(bytes),
      baseline: { label: 'now', value: mb(currentBytes) }, ratio: ratioOf(mb(bytes), mb(currentBytes), '× now'),
      target: '≤ 1 MB', pass: bytes <= LIMIT_BYTES,
      note: `${bytes.toLocaleString('en-US')} bytes; ssh2.js (${sshBytes.toLocaleString('en-US')} bytes) is loaded on the first ssh:// connection only`,
    });
    const lp = ms(median(load));
    const lc = ms(median(currentLoad));
    rows.push({ item: 8, name: 'bundle load time in Node, proposed vs now', figure: lp, baseline: { label: 'now', value: lc }, ratio: ratioOf(lp, lc, '× now'),
      note: 'require() of the bundle in a fresh Node (vscode stubbed): code loading the extension host pays before activate()' });
  }

  const unavailable = activationUnavailable();
  if (unavailable) {
    rows.push({ item: 8, name: 'activation in the extension host', target: '≤ 50 ms', missing: unavailable });
  } else {
    const activations: Record<string, Activation> = {};
    for (const [label, bundle] of [['now', current], ['proposed', proposed]] as const) {
      if (!bundle) continue;
      try {
        ctx.log(`item 8: activation in code-server's extension host (${label} bundle)`);
        activations[label] = await measureActivation(bundle, ctx.log);
      } catch (err) {
        details[`activationError_${label}`] = (err as Error).message;
      }
    }
    details.activation = activations;
    const now = activations.now;
    if (now) {
      const a = ms(median(now.activateMs));
      rows.push({
        item: 8, name: 'activation in the extension host: activate() (build:production bundle)', figure: a,
        target: '≤ 50 ms', pass: a.value <= 50,
        note: `median of ${now.activateMs.length} window loads (${now.activateMs.join(', ')} ms), the extension's own "activated in N ms" line, in code-server`,
      });
    } else {
      rows.push({ item: 8, name: 'activation in the extension host', target: '≤ 50 ms',
        missing: `code-server run failed: ${String(details.activationError_now).split('\n')[0]}` });
    }
    const p = activations.proposed?.loadToActivateMs.length ? ms(median(activations.proposed.loadToActivateMs)) : undefined;
    const n = now?.loadToActivateMs.length ? ms(median(now.loadToActivateMs)) : undefined;
    if (p || n) {
      rows.push({
        item: 8, name: 'activation: host loads the bundle until activate(), proposed vs now', figure: p,
        baseline: { label: 'now', value: n }, ratio: ratioOf(p, n, '× now'),
        missing: p ? undefined : 'no trace lines for the proposed bundle',
        note: p ? 'medians; the extension host\'s trace log, from _doActivateExtension to _callActivateOptional; it shares the thread with other extensions starting up' : undefined,
      });
    }
  }
  ctx.details.packaging = details;
  return rows;
}
