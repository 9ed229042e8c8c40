import * as vscode from 'vscode';
import { countCascade, displayText } from '../../core';
import { LevelNode } from '../tree/nodes/LevelNode';
import type { ContainerNode } from '../tree/nodes/ContainerNode';
import type { CommandContext } from './commandContext';

/**
 * A nested level dies with its container: before stopping or removing one, count what lives
 * inside and say so. Returns true when the user agreed (or there is nothing nested).
 */
export async function confirmCascade(ctx: CommandContext, node: ContainerNode, verb: 'Stop' | 'Restart' | 'Remove'): Promise<boolean> {
  if (!(node instanceof LevelNode)) {
    if (verb !== 'Remove') return true;
    const choice = await ctx.prompts.confirm(`Remove container ${displayText(node.name)}?`, 'The container and its anonymous volumes are removed.', 'Remove');
    return choice === 'Remove';
  }
  const cascade = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Counting what runs inside ${displayText(node.name)}…` },
    () => countCascade(ctx.service.registry, node.daemon, node.container.Id));
  const what = `${cascade.containers} container${cascade.containers === 1 ? '' : 's'} in ${cascade.levels} level${cascade.levels === 1 ? '' : 's'}`
    + (cascade.unreachable ? ` (and ${cascade.unreachable} level${cascade.unreachable === 1 ? '' : 's'} that could not be reached)` : '');
  const consequence = verb === 'Remove'
    ? `Everything inside it dies with it: ${what}, with their images and volumes.`
    : `Everything inside it stops with it: ${what}.`;
  const choice = await ctx.prompts.confirm(`${verb} level ${displayText(node.name)}?`, consequence, verb);
  return choice === verb;
}
