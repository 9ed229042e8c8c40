/** The benchmark's rows, the printed table and the JSON file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Value {
  value: number;
  unit: 'ms' | 'MB' | 'MB/s' | 'requests' | 'bytes';
}

export interface Row {
  /** Item number (see ITEMS in bench.ts). */
  item: number;
  name: string;
  /** The measured figure; undefined when it could not be measured (see `missing`). */
  figure?: Value;
  baseline?: { label: string; value?: Value };
  /** How the ratio reads, e.g. "× raw" (figure ÷ baseline) or "× faster" (baseline ÷ figure). */
  ratio?: { value: number; reads: string };
  target?: string;
  /** PASS/MISS against the target; undefined where the item has no target. */
  pass?: boolean;
  /** Why the figure is missing. */
  missing?: string;
  note?: string;
}

export function ms(value: number): Value {
  return { value, unit: 'ms' };
}

/** Ratio figure ÷ baseline ("× raw"), or baseline ÷ figure when `inverse` ("× faster"). */
export function ratioOf(figure: Value | undefined, baseline: Value | undefined, reads: string, inverse = false): Row['ratio'] {
  if (!figure || !baseline || !(figure.value > 0) || !(baseline.value > 0)) return undefined;
  return { value: inverse ? baseline.value / figure.value : figure.value / baseline.value, reads };
}

export function missingRow(item: number, name: string, why: string, target?: string): Row {
  return { item, name, missing: why, target };
}

function fmt(v: Value | undefined): string {
  if (!v) return 'missing';
  const n = v.value;
  const digits = n >= 100 ? 0 : n >= 10 ? 1 : n >= 1 ? 2 : 3;
  if (v.unit === 'bytes') return `${n.toLocaleString('en-US')} B`;
  if (v.unit === 'requests') return `${n} req`;
  return `${n.toFixed(digits)} ${v.unit}`;
}

function fmtRatio(r: Row['ratio']): string {
  if (!r) return '—';
  if (r.value < 0.01) return `${r.value.toPrecision(2)}${r.reads}`;
  const digits = r.value >= 100 ? 0 : r.value >= 10 ? 1 : 2;
  return `${r.value.toFixed(digits)}${r.reads}`;
}

export function status(row: Row): string {
  if (!row.figure) return 'missing';
  if (row.pass === undefined) return 'info';
  return row.pass ? 'PASS' : 'MISS';
}

/** A Markdown table (it reads well in a terminal and pastes into the README). */
export function formatTable(rows: readonly Row[]): string {
  const header = ['#', 'measure', 'figure', 'baseline', 'ratio', 'target', 'result'];
  const lines = rows.map((r) => [
    String(r.item), r.name, fmt(r.figure),
    r.baseline ? `${r.baseline.label} ${fmt(r.baseline.value)}` : '—',
    fmtRatio(r.ratio), r.target ?? '—', status(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)];
  const notes = rows.filter((r) => r.missing || r.note).map((r) => `- ${r.item} ${r.name}: ${r.missing ? `missing — ${r.missing}` : r.note}`);
  return [...out, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

export interface Machine {
  hostname: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  loadAverage: number[];
  docker?: string;
}

export function machine(dockerVersion?: string): Machine {
  return {
    hostname: os.hostname(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? '?',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    docker: dockerVersion,
  };
}

export function writeJson(file: string, data: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
}
