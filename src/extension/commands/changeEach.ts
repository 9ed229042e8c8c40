import * as vscode from 'vscode';
import { displayText, DockerLevelsError } from '../../core';
import type { ContainerNode } from '../tree/nodes/ContainerNode';
import type { CommandContext } from './commandContext';

/**
 * Runs one lifecycle change on each container of a selection, with progress: all are tried;
 * when any fails, one error names each that failed and how many were done. Each row's parent
 * is listed again once.
 */
export async function changeEach(ctx: CommandContext, nodes: readonly ContainerNode[], verbing: string,
  change: (n: ContainerNode) => Promise<unknown>): Promise<ContainerNode[]> {
  const failed: string[] = [];
  const done: ContainerNode[] = [];
  const title = `${verbing} ${nodes.length === 1 ? displayText(nodes[0].name, 80) : `${nodes.length} containers`}…`;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () => Promise.all(nodes.map(async (n) => {
    try {
      await change(n);
      done.push(n);
      ctx.log.info(`${verbing.toLowerCase()} ${n.path}: done`);
    } catch (err) {
      if (nodes.length === 1) throw err;
      const e = ctx.errors.log(err);
      failed.push(`${displayText(n.name, 80)}: ${e.message}`);
    }
  })));
  for (const parent of new Set(nodes.map((n) => n.parent))) if (parent && !parent.isDisposed) void ctx.tree.refresh(parent);
  if (failed.length) {
    throw new DockerLevelsError('unknown', `${failed.length} of ${nodes.length} containers failed: ${failed.join('; ')}`,
      done.length ? `The other ${done.length} succeeded.` : undefined);
  }
  return done;
}
