import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { addFailure, countsOf, failureLine, StageCounts } from '../support/stageCounts';
import { summarize } from '../support/stageSummary';

describe('test run summary (unit)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-summary-'));
  const counts = (name: string, c: ReturnType<typeof countsOf>): string => {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(c));
    return file;
  };

  it('counts tests under a failed before-hook as not run, and fails the stage', () => {
    const file = counts('unit', countsOf(10, 7, 0, 0, 1));
    const { stages, problems } = summarize([{ name: 'unit', seconds: 1, exitCode: 1, countsFile: file }], ['unit']);
    assert.equal(stages[0].notRun, 3);
    assert.deepEqual(problems, ['stage unit: exit 1, 3 planned test(s) not run']);
  });

  it('fails a stage that did not run and a test stage that wrote no counts', () => {
    const { problems } = summarize([{ name: 'vscode', seconds: 1, exitCode: 0, countsFile: path.join(dir, 'absent.json') }], ['build', 'vscode']);
    assert.deepEqual(problems, ['stage build did not run', 'stage vscode: reported no counts']);
  });

  it('names a stage that ran out of time', () => {
    const { problems } = summarize([{ name: 'bed', seconds: 900, exitCode: 124 }], ['bed']);
    assert.deepEqual(problems, ['stage bed: timed out (exit 124)']);
  });

  it('has nothing to say about a clean stage', () => {
    const file = counts('clean', countsOf(4, 3, 0, 1));
    const { stages, problems } = summarize([{ name: 'unit', seconds: 1, exitCode: 0, countsFile: file }], ['unit']);
    assert.deepEqual(problems, []);
    assert.equal(stages[0].pending, 1);
  });

  it('names what failed, one bounded line each, so the tail of a CI log says which test', () => {
    const failures: string[] = [];
    addFailure(failures, failureLine('ports Forward Port… at depth 3', new Error('expected 2 rows\n  at stack')));
    for (let i = 0; i < 30; i++) addFailure(failures, failureLine(`t${i}`, 'x'.repeat(1000)));
    assert.equal(failures.length, 20);
    assert.equal(failures[0], 'ports Forward Port… at depth 3: expected 2 rows');
    assert.ok(failures.every((f) => f.length <= 300));
    const file = counts('failed', countsOf(5, 4, 1, 0, 0, failures.slice(0, 1)));
    const { stages } = summarize([{ name: 'vscode', seconds: 1, exitCode: 1, countsFile: file }], ['vscode']);
    assert.deepEqual(stages[0].failures, ['ports Forward Port… at depth 3: expected 2 rows']);
  });

  it('a run that leaves a handle open exits 3, and the summary names the handle', function () {
    this.timeout(60_000);
    const file = path.join(dir, 'leaky.json');
    const run = spawnSync(process.execPath, [require.resolve('mocha/bin/mocha.js'), '--require', 'tsx/cjs',
      '--require', 'test/support/openHandles.ts', '--reporter', 'test/support/countingReporter.ts', 'test/support/fixtures/leaksAServer.ts'], {
      cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8', timeout: 50_000,
      env: { ...process.env, DOCKER_LEVELS_TEST_COUNTS: file, DOCKER_LEVELS_EXIT_GRACE_MS: '300' },
    });
    assert.equal(run.status, 3, run.stderr);
    const written = JSON.parse(readFileSync(file, 'utf8')) as StageCounts;
    assert.equal(written.passed, 1);
    assert.ok(written.openAfterRun?.some((l) => /^Server \{"address":"127\.0\.0\.1"/.test(l)), JSON.stringify(written.openAfterRun));
    const { problems } = summarize([{ name: 'integration', seconds: 1, exitCode: 3, countsFile: file }], ['integration']);
    assert.deepEqual(problems, ['stage integration: exit 3, handles left open after the last test']);
  });
});
