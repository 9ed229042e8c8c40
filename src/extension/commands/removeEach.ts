import * as vscode from 'vscode';
import { displayText, DockerLevelsError } from '../../core';
import type { CommandContext } from './commandContext';
import { ContentTarget, refreshAfter } from './contentArguments';

/**
 * Removes several targets (a multi-selection) with progress: all are tried; when any fails,
 * one error names each that failed and how many were removed.
 */
export async function removeEach(ctx: CommandContext, targets: readonly ContentTarget[], remove: (t: ContentTarget) => Promise<unknown>): Promise<void> {
  const failed: string[] = [];
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Removing ${targets.length === 1 ? displayText(targets[0].name, 80) : `${targets.length} ${targets[0].kind}s`}` },
    () => Promise.all(targets.map(async (t) => {
      try {
        await remove(t);
        ctx.log.info(`removed ${t.kind} ${t.name} on ${t.daemon.what}`);
      } catch (err) {
        const e = ctx.errors.log(err);
        failed.push(targets.length === 1 ? e.message : `${displayText(t.name, 80)}: ${e.message}`);
        if (targets.length === 1) throw e;
      }
    })));
  for (const node of new Set(targets.map((t) => t.node))) refreshAfter(ctx, node);
  if (failed.length) {
    throw new DockerLevelsError('unknown', `${failed.length} of ${targets.length} ${targets[0].kind}s were not removed: ${failed.join('; ')}`,
      targets.length > failed.length ? `The other ${targets.length - failed.length} were removed.` : undefined);
  }
}

/** "image leaf:latest" or "3 images", for confirmations. */
export function what(targets: readonly ContentTarget[]): string {
  return targets.length === 1 ? `${targets[0].kind} ${displayText(targets[0].name, 120)}` : `${targets.length} ${targets[0].kind}s`;
}
