import * as vscode from 'vscode';
import { displayText, formatBytes, planPrune, PrunePlan, runPrune } from '../../core';
import type { CommandSpec } from './commandContext';
import { daemonArgument } from './nodeArguments';

/** The numbers the confirmation shows: what is removed, and how much it frees. */
export function describePlan(plan: PrunePlan): string {
  const part = (kind: 'container' | 'image' | 'volume', what: string) => {
    const items = plan.items.filter((i) => i.kind === kind);
    return items.length ? `${items.length} ${what}${items.length === 1 ? '' : 's'} (${formatBytes(items.reduce((n, i) => n + i.bytes, 0))})` : undefined;
  };
  const cache = plan.items.find((i) => i.kind === 'buildCache');
  return [part('container', 'stopped container'), part('image', 'unused image'), part('volume', 'unused volume'),
    cache ? `unused build cache (${formatBytes(cache.bytes)})` : undefined].filter(Boolean).join(', ');
}

/** Prune Level…: shows what is reclaimable, asks with the numbers, removes with progress and Cancel. */
export const pruneLevelCommand: CommandSpec = {
  id: 'docker-levels.pruneLevel',
  async run(ctx, arg) {
    const target = await daemonArgument(ctx, arg, 'Prune which daemon or level?');
    if (!target) return;
    const label = displayText(target.label || 'the root daemon');
    const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reading what ${label} can free…` },
      () => planPrune(target.daemon));
    if (!plan.items.length) {
      void vscode.window.showInformationMessage(`Nothing to prune on ${label}.`);
      return plan;
    }
    const choice = await ctx.prompts.confirm(`Prune ${label}? This frees ${formatBytes(plan.bytes)}.`,
      `Removes ${describePlan(plan)}. Anything taken into use since this list is kept.`, 'Prune');
    if (choice !== 'Prune') return undefined;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Pruning ${label}`, cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        let last = 0;
        return runPrune(target.daemon, plan, {
          signal: controller.signal,
          onProgress: (done, total, item) => {
            progress.report({ message: done < total ? `${done + 1} of ${total}: ${item.label}` : 'done', increment: ((done - last) / total) * 100 });
            last = done;
          },
        }).finally(() => sub.dispose());
      });
    for (const f of result.failed) ctx.log.warn(`prune ${target.daemon.what}: kept ${f.item.kind} ${f.item.label}: ${f.reason}`);
    void vscode.window.showInformationMessage(`Pruned ${label}: removed ${result.removed.length} of ${plan.items.length}, ${formatBytes(result.bytes)} freed`
      + (result.failed.length ? `; ${result.failed.length} kept (see the log).` : '.'));
    ctx.tree.refresh();
    return result;
  },
};
