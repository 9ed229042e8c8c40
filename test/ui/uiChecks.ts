// What several UI steps compare: tree rows against the docker CLI at a level, the root row's
// counts against docker info, a row's codicon. The docker CLI is the independent witness.
import { waitFor } from './harness/workbench';
import { containersAt, dockerAt } from './dockerCli';
import type { StepContext } from './stepRunner';
import type { LevelsView, Row } from './workbenchUi';

/** A level row's description names how it was reached. */
export const TRANSPORT = /· (published|bridge|tls|tunnel) ·/;
export const SHORT_ID = /\b[0-9a-f]{12}\b/;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The codicon of a row's icon class list, e.g. "error" or "vm-running". */
export function iconName(classes: string): string {
  return /\bcodicon-(?!colored\b)([\w-]+)/.exec(classes)?.[1] ?? classes;
}

/** name → short ID read from container rows (their description carries the short ID). */
function rowsById(rows: Row[]): Map<string, string> {
  return new Map(rows.filter((r) => SHORT_ID.test(r.description)).map((r) => [r.label, SHORT_ID.exec(r.description)![0]]));
}

function describeDiff(tree: Map<string, string>, cli: Map<string, string>): string {
  const missing = [...cli].filter(([n, id]) => tree.get(n) !== id).map(([n, id]) => `${n} ${id}`);
  const extra = [...tree].filter(([n, id]) => cli.get(n) !== id).map(([n, id]) => `${n} ${id}`);
  return `missing from the tree: [${missing.join(', ')}]; not in the CLI: [${extra.join(', ')}]`;
}

/**
 * The children of a tree row must be exactly what `docker ps -a` lists at that daemon (names
 * and short IDs). Other engineers' tests share the bed, so both sides are read again until
 * they agree (the tree follows the daemon's events) or the time is up.
 */
export async function expectRowsMatchCli(view: LevelsView, label: string, level: number, chain: string[], ctx: StepContext): Promise<Map<string, string>> {
  let last = '';
  const matched = await waitFor(`the rows under ${label} to match docker ps -a`, async () => {
    const cli = await containersAt(chain);
    const tree = rowsById(await view.children(label, level));
    if (tree.size === cli.size && [...cli].every(([n, id]) => tree.get(n) === id)) return cli;
    last = describeDiff(tree, cli);
    return undefined;
  }, 60_000, 500).catch((err: unknown) => {
    throw new Error(`${String(err instanceof Error ? err.message : err)}; last difference: ${last}`);
  });
  const where = chain.length ? `docker ${chain.map((c) => `exec ${c} docker`).join(' ')} ps -a` : 'docker ps -a';
  ctx.notes.push(`${label}: ${matched.size} rows = \`${where}\`: ${[...matched].map(([n, id]) => `${n} ${id}`).join(', ')}`);
  return matched;
}

/** The root row's "R running / T" must be docker info's counts (read again until they agree). */
export async function expectRootCounts(view: LevelsView, rootLabel: string, ctx: StepContext): Promise<void> {
  let last = '';
  const agreed = await waitFor('the root row\'s counts to match docker info', async () => {
    const [running, total] = (await dockerAt([], ['info', '-f', '{{.ContainersRunning}} {{.Containers}}'])).trim().split(/\s+/);
    const root = await view.find(rootLabel, 1);
    const shown = /(\d+) running \/ (\d+)(?: · |$)/.exec(root?.description ?? '');
    last = `"${root?.description ?? '(no root row)'}", docker info: ${running} running / ${total}`;
    return shown && shown[1] === running && shown[2] === total ? last : undefined;
  }, 45_000, 500).catch(() => {
    throw new Error(`the root row's counts are not docker info's: ${last}`);
  });
  ctx.notes.push(`root counts agree: ${agreed}`);
}
