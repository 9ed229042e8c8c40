// A small runner for the UI test: steps in order, each timed and recorded as passed or
// failed, with a screenshot at its end (or on failure, named after the step), and one
// summary line "N passed, N failed".

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
  screenshots: string[];
}

export type Screenshotter = (name: string) => Promise<string>;

export class StepRunner {
  readonly results: StepResult[] = [];
  private screenshotter: Screenshotter | undefined;

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  /** Screenshots become possible once the workbench is up. */
  setScreenshotter(s: Screenshotter | undefined): void {
    this.screenshotter = s;
  }

  /**
   * Runs one step; its screenshots are named NN-slug[-suffix].png. `needs` are step numbers that must have passed; otherwise the step is
   * recorded as failed without running (it would only fail for the same reason).
   */
  async step(number: number, slug: string, title: string, fn: (ctx: StepContext) => Promise<void>, needs: number[] = []): Promise<boolean> {
    const name = `${String(number).padStart(2, '0')}-${slug}`;
    const result: StepResult = { number, title, ok: false, ms: 0, notes: [], screenshots: [] };
    this.results.push(result);
    const missing = needs.filter((n) => !this.results.find((r) => r.number === n)?.ok);
    if (missing.length > 0) {
      result.error = `not run: needs step ${missing.join(', ')}`;
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
    this.out.write(`${r.ok ? 'PASS' : 'FAIL'}  ${r.number}. ${r.title}  (${secs} s)\n`);
    for (const n of r.notes) this.out.write(`        ${n}\n`);
    if (r.error) this.out.write(`        error: ${r.error.split('\n').join('\n        ')}\n`);
    for (const s of r.screenshots) this.out.write(`        screenshot: ${s}\n`);
  }

  get passed(): number {
    return this.results.filter((r) => r.ok).length;
  }

  get failed(): number {
    return this.results.length - this.passed;
  }

  summary(): string {
    return `${this.passed} passed, ${this.failed} failed`;
  }
}
