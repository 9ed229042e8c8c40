/** Timing and statistics for the benchmark: medians of repeated runs in one process. */
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Milliseconds taken by `work`. */
export async function timeMs(work: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await work();
  return performance.now() - t;
}

/** A summary kept in the JSON: the median and the spread of the samples. */
export interface Samples {
  median: number;
  p90: number;
  min: number;
  n: number;
}

export function summarize(xs: readonly number[]): Samples {
  return { median: median(xs), p90: percentile(xs, 90), min: Math.min(...xs), n: xs.length };
}

/**
 * Runs several measured variants interleaved (a, b, a, b, …) after a warm-up, so that noise
 * from other work on the machine hits every variant alike. Returns the samples per variant.
 */
export async function interleaved<K extends string>(variants: Record<K, () => Promise<unknown>>,
  rounds: number, warmup = 5): Promise<Record<K, number[]>> {
  const keys = Object.keys(variants) as K[];
  for (let i = 0; i < warmup; i++) for (const k of keys) await variants[k]();
  const out = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as unknown as Record<K, number[]>;
  for (let i = 0; i < rounds; i++) for (const k of keys) out[k].push(await timeMs(variants[k]));
  return out;
}

export { sleep } from '../support/waitFor';

/** Runs `work` over `items` with at most `limit` at a time; returns results in order. */
export async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  });
  await Promise.all(runners);
  return results;
}

/** The garbage collector (npm run bench runs with --expose-gc; else it is exposed here). */
export function gcFunction(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
