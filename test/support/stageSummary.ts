// Sums up a run of test/run-all.sh: reads the stages it recorded (one JSON line each) and
// the counts each test stage wrote, writes test-results/summary.json and prints the closing
// line "N passed, N failed, N skipped" (skipped = pending + not run). Exits non-zero when a
// stage failed or is missing, when a test stage wrote no counts, or when planned ≠ run.
//
//   tsx test/support/stageSummary.ts <stages.jsonl> <summary.json> <expected stage>...
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { StageCounts } from './stageCounts';

interface StageRecord {
  name: string;
  seconds: number;
  exitCode: number;
  /** Set for test stages: where the stage wrote its counts. */
  countsFile?: string;
}

type StageSummary = Omit<StageRecord, 'countsFile'> & Partial<StageCounts> & { problem?: string };

function readCounts(file: string): StageCounts | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as StageCounts;
}

export function summarize(records: StageRecord[], expected: string[]): { stages: StageSummary[]; problems: string[] } {
  const problems: string[] = [];
  const stages: StageSummary[] = [];
  for (const name of expected) {
    const r = records.find((s) => s.name === name);
    if (!r) {
      problems.push(`stage ${name} did not run`);
      stages.push({ name, seconds: 0, exitCode: -1, problem: 'did not run' });
      continue;
    }
    const { countsFile, ...rest } = r;
    const s: StageSummary = { ...rest };
    if (r.exitCode !== 0) s.problem = r.exitCode === 124 || r.exitCode === 137 ? `timed out (exit ${r.exitCode})` : `exit ${r.exitCode}`;
    if (countsFile !== undefined) {
      const c = readCounts(countsFile);
      if (!c) s.problem = [s.problem, 'reported no counts'].filter(Boolean).join(', ');
      else {
        Object.assign(s, c);
        if (c.notRun > 0) s.problem = [s.problem, `${c.notRun} planned test(s) not run`].filter(Boolean).join(', ');
        if (c.openAfterRun?.length) s.problem = [s.problem, 'handles left open after the last test'].filter(Boolean).join(', ');
      }
    }
    if (s.problem) problems.push(`stage ${name}: ${s.problem}`);
    stages.push(s);
  }
  for (const r of records) if (!expected.includes(r.name)) problems.push(`stage ${r.name} ran but was not expected`);
  return { stages, problems };
}

function main(): number {
  const [stagesFile, summaryFile, ...expected] = process.argv.slice(2);
  if (!stagesFile || !summaryFile) throw new Error('usage: stageSummary.ts <stages.jsonl> <summary.json> <stage>...');
  const records = existsSync(stagesFile)
    ? readFileSync(stagesFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as StageRecord)
    : [];
  const { stages, problems } = summarize(records, expected);
  const sum = (k: Exclude<keyof StageCounts, 'failures' | 'openAfterRun'>): number => stages.reduce((n, s) => n + (s[k] ?? 0), 0);
  const totals = { planned: sum('planned'), passed: sum('passed'), failed: sum('failed'), pending: sum('pending'), notRun: sum('notRun') };
  const skipped = totals.pending + totals.notRun;
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout: the summary says so.
  }
  writeFileSync(summaryFile, `${JSON.stringify({ commit, stages, totals: { ...totals, skipped }, problems }, null, 2)}\n`);

  process.stdout.write('\n');
  for (const s of stages) {
    const counts = s.planned === undefined ? '' : `  ${s.passed}/${s.planned} passed, ${s.failed} failed, ${s.pending} pending, ${s.notRun} not run`;
    process.stdout.write(`${s.problem ? 'FAIL' : 'ok  '}  ${s.name.padEnd(15)} ${String(s.seconds).padStart(5)} s${counts}\n`);
  }
  for (const s of stages) for (const f of s.failures ?? []) process.stdout.write(`failed in ${s.name}: ${f}\n`);
  for (const s of stages) for (const h of s.openAfterRun ?? []) process.stdout.write(`open after ${s.name}'s last test: ${h}\n`);
  for (const p of problems) process.stdout.write(`problem: ${p}\n`);
  process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${skipped} skipped\n`);
  return problems.length > 0 || totals.failed > 0 ? 1 : 0;
}

if (require.main === module) process.exit(main());
