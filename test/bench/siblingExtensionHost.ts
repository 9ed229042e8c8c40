/**
 * Item 14's extension-host heap per open level: the extension (production build) and the
 * extension-host suite are built into test-results/bench/exthost (out/ is left alone), and
 * test/vscode/suite/siblingHeap.bench.ts (built with --suite=bench, so alone) runs in code-server's real extension host through
 * the standard runTests launcher (test/vscode/launcher). It expands every sibling row, waits
 * until each is followed live, and writes heapUsed after gc before and after.
 */
import { runTests } from '@vscode/test-electron';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { BenchContext } from './benchContext';
import { Row } from './report';

const REPO = path.resolve(__dirname, '..', '..');
/** Inside the repo: the suite bundle keeps mocha external and finds it in the repo's node_modules. */
const DIR = path.join(REPO, 'test-results', 'bench', 'exthost');

interface HostHeap {
  levels: number;
  warmupLevels: number;
  beforeBytes: number;
  afterBytes: number;
  perLevelBytes: number;
  live: number;
  node: string;
}

function build(ext: string): void {
  const script = path.join(REPO, 'esbuild.mjs');
  const out = path.join(ext, 'out');
  execFileSync(process.execPath, [script, '--production', '--only=extension', `--outdir=${out}`], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync(process.execPath, [script, '--only=test', '--suite=bench', `--outdir=${out}`], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  cpSync(path.join(REPO, 'package.json'), path.join(ext, 'package.json'));
  for (const d of ['media', 'resources']) if (existsSync(path.join(REPO, d))) cpSync(path.join(REPO, d), path.join(ext, d), { recursive: true });
}

export async function extensionHostHeap(ctx: BenchContext, prefix: string, count: number, details: Record<string, unknown>): Promise<Row> {
  const name = 'CI host: extension-host heap per open level (expanded, followed live)';
  rmSync(DIR, { recursive: true, force: true });
  const ext = path.join(DIR, 'ext');
  const profile = path.join(DIR, 'profile');
  const figures = path.join(DIR, 'heap.json');
  mkdirSync(profile, { recursive: true });
  try {
    build(ext);
    ctx.log('item 14: expanding the siblings in code-server\'s extension host');
    await runTests({
      vscodeExecutablePath: path.join(REPO, 'test', 'vscode', 'launcher', 'code-server-launcher'),
      extensionDevelopmentPath: ext,
      extensionTestsPath: path.join(ext, 'out', 'test', 'suite', 'index.js'),
      extensionTestsEnv: {
        DOCKER_LEVELS_LAUNCHER_TMPDIR: profile,
        DOCKER_LEVELS_BENCH_SIBLINGS_OUT: figures,
        DOCKER_LEVELS_BENCH_SIBLINGS_PREFIX: prefix,
        DOCKER_LEVELS_BENCH_SIBLINGS_COUNT: String(count),
      },
      launchArgs: [`--user-data-dir=${path.join(profile, 'user-data')}`, `--extensions-dir=${path.join(profile, 'extensions')}`],
    });
    if (!existsSync(figures)) return { item: 14, name, missing: 'the extension-host run wrote no figures' };
    const heap = JSON.parse(readFileSync(figures, 'utf8')) as HostHeap;
    details.extensionHostHeap = heap;
    return {
      item: 14, name, figure: { value: heap.perLevelBytes / 1e6, unit: 'MB' },
      note: `code-server's extension host (Node ${heap.node}): heapUsed after gc, before and after expanding ${heap.levels} sibling rows `
        + `(${heap.warmupLevels} more expanded first as a warm-up), ${heap.live} followed live; the whole extension's share, not only the core's`,
    };
  } catch (err) {
    return { item: 14, name, missing: `the extension-host run failed: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(DIR, { recursive: true, force: true });
  }
}
