import * as readline from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { DockerLevelsError, formatBytes, planPrune, PrunePlan, resolveDaemonPath, runPrune } from '../../core';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const pruneHelp = `docker-levels prune PATH [--yes]
  Removes the stopped containers, unused images, unused volumes and unused build cache of the
  level at PATH ("/" is the root), after showing them. Asks first unless --yes is given;
  without a terminal to ask on, only shows them.`;

export function renderPlan(plan: PrunePlan): string {
  const where = plan.levelPath || 'the root daemon';
  if (!plan.items.length) return `Nothing to prune on ${where}.\n`;
  const lines = plan.items.map((i) => `  ${i.kind.padEnd(10)} ${i.label}  ${formatBytes(i.bytes)}`);
  const c = plan.counts;
  return `On ${where}: ${c.container} containers, ${c.image} images, ${c.volume} volumes, ${c.buildCache} build cache records, `
    + `${formatBytes(plan.bytes)} in all:\n${lines.join('\n')}\n`;
}

export async function pruneCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...GLOBAL_OPTIONS, yes: { type: 'boolean', short: 'y' } } });
  if (positionals.length !== 1) throw new DockerLevelsError('badInput', 'prune takes one PATH, e.g. l1/l2 ("/" for the root daemon).');
  const session = new CliSession(values);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const daemon = await resolveDaemonPath(session.levels, session.root, positionals[0], controller.signal);
    const plan = await planPrune(daemon, controller.signal);
    process.stdout.write(renderPlan(plan));
    if (!plan.items.length) return 0;
    if (!values.yes) {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        process.stderr.write('docker-levels: nothing removed: there is no terminal to ask on. Run again with --yes to remove these.\n');
        return 2;
      }
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question(`Remove these ${plan.items.length} items (${formatBytes(plan.bytes)})? [y/N] `).finally(() => rl.close());
      if (!/^y(es)?$/i.test(answer.trim())) {
        process.stdout.write('Nothing removed.\n');
        return 1;
      }
    }
    const result = await runPrune(daemon, plan, {
      signal: controller.signal,
      onProgress: (done, total) => { if (done < total) process.stderr.write(`removing ${done + 1} of ${total}\r`); },
    });
    process.stderr.write('\n');
    for (const f of result.failed) process.stderr.write(`kept ${f.item.kind} ${f.item.label}: ${f.reason}\n`);
    process.stdout.write(`Removed ${result.removed.length} of ${plan.items.length} items, ${formatBytes(result.bytes)}.\n`);
    return result.failed.length ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    session.dispose();
  }
}
