// A small runner for the UI test: steps in order, each timed and recorded as passed or
// failed, with a screenshot at its end (or on failure, named after the step), and one
// summary line "N passed, N failed, N skipped". Step 0 is the setup: it is not a test, and
// when it fails the planned steps are counted as not run, not as failed.
import { addFailure, countsOf, failureLine, type StageCounts } from '../support/stageCounts';

export interface StepContext {
  /** Lines worth reading in the report (what was compared, what was seen). */
  notes: string[];
  /** Saves a screenshot named after the step (plus a suffix, if given); returns its path. */
  screenshot(suffix?: string): Promise<string>;
}

export interface StepResult {
  number: number;
  title: string;
  ok: boolean;
  ms: number;
  notes: string[];
  error?: string;
  /** Not run because a step it needs failed. */
  notRun?: boolean;
  screenshots: string[];
}

/** The setup's step number: run like a step, never counted as a test. */
export const SETUP_STEP = 0;

export type Screenshotter = (name: string) => Promise<string>;

export class StepRunner {
  readonly results: StepResult[] = [];
  private screenshotter: Screenshotter | undefined;

  /** `planned`: how many test steps (numbered 1…) the run has. */
  constructor(private readonly planned: number, private readonly out: NodeJS.WritableStream = process.stdout) {}

  /** Screenshots become possible once the workbench is up. */
  setScreenshotter(s: Screenshotter | undefined): void {
    this.screenshotter = s;
  }

  /**
   * Runs one step; its screenshots are named NN-slug[-suffix].png. `needs` are step numbers that must have passed; otherwise the step is
   * recorded as failed without running (it would only fail for the same reason).
   */
  async step(number: number, slug: string, title: string, fn: (ctx: StepContext) => Promise<void>, needs: number[] = []): Promise<boolean> {
    if (number > this.planned) throw new Error(`step ${number} is past the ${this.planned} planned steps: update the plan`);
    const name = `${String(number).padStart(2, '0')}-${slug}`;
    const result: StepResult = { number, title, ok: false, ms: 0, notes: [], screenshots: [] };
    this.results.push(result);
    const missing = needs.filter((n) => !this.results.find((r) => r.number === n)?.ok);
    if (missing.length > 0) {
      result.error = `not run: needs step ${missing.join(', ')}`;
      result.notRun = true;
      this.print(result);
      return false;
    }
    let tookMain = false;
    const shot = async (suffix?: string): Promise<string> => {
      if (!this.screenshotter) throw new Error('no workbench to take a screenshot of');
      const file = await this.screenshotter(suffix ? `${name}-${suffix}` : name);
      tookMain ||= !suffix;
      result.screenshots.push(file);
      return file;
    };
    const started = Date.now();
    try {
      await fn({ notes: result.notes, screenshot: shot });
      result.ok = true;
      // The step's own picture, unless the step took it itself at the moment that matters.
      if (!tookMain) await shot().catch((err: unknown) => result.notes.push(`(no screenshot: ${String(err)})`));
    } catch (err) {
      result.error = err instanceof Error ? err.message : String(err);
      await shot('FAILED').catch((e: unknown) => result.notes.push(`(no failure screenshot: ${String(e)})`));
    }
    result.ms = Date.now() - started;
    this.print(result);
    return result.ok;
  }

  private print(r: StepResult): void {
    const secs = (r.ms / 1000).toFixed(1);
    this.out.write(`${r.ok ? 'PASS' : r.notRun ? 'SKIP' : 'FAIL'}  ${r.number}. ${r.title}  (${secs} s)\n`);
    for (const n of r.notes) this.out.write(`        ${n}\n`);
    if (r.error) this.out.write(`        error: ${r.error.split('\n').join('\n        ')}\n`);
    for (const s of r.screenshots) this.out.write(`        screenshot: ${s}\n`);
  }

  private get tests(): StepResult[] {
    return this.results.filter((r) => r.number !== SETUP_STEP);
  }

  /** The setup ran and failed (its steps are then not run). */
  get setupFailed(): boolean {
    return this.results.some((r) => r.number === SETUP_STEP && !r.ok);
  }

  get passed(): number {
    return this.tests.filter((r) => r.ok).length;
  }

  get failed(): number {
    return this.tests.filter((r) => !r.ok && !r.notRun).length;
  }

  /** Steps planned and not run: skipped for a failed need, or never reached. */
  counts(): StageCounts {
    const failures: string[] = [];
    for (const r of this.results) if (!r.ok && !r.notRun) addFailure(failures, failureLine(`step ${r.number}. ${r.title}`, r.error ?? 'failed'));
    return countsOf(this.planned, this.passed, this.failed, 0, 0, failures);
  }

  summary(): string {
    const c = this.counts();
    return `${c.passed} passed, ${c.failed} failed, ${c.pending + c.notRun} skipped`;
  }
}
