import * as vscode from 'vscode';
import { Cascade, countCascade, displayText } from '../../core';
import { LevelNode } from '../tree/nodes/LevelNode';
import type { ContainerNode } from '../tree/nodes/ContainerNode';
import type { CommandContext } from './commandContext';

type Verb = 'Stop' | 'Restart' | 'Remove';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** What the selected levels hold, all counted: "3 containers in 2 levels (and 1 level that could not be reached)". */
function cascadeText(total: Cascade): string {
  return `${plural(total.containers, 'container')} in ${plural(total.levels, 'level')}`
    + (total.unreachable ? ` (and ${plural(total.unreachable, 'level')} that could not be reached)` : '');
}

/**
 * A nested level dies with its container: before stopping or removing containers, count what
 * lives inside the levels among them and say so, in one question for the whole selection.
 * Returns true when the user agreed (or there is nothing to ask: stopping plain containers).
 */
export async function confirmCascade(ctx: CommandContext, nodes: ContainerNode | readonly ContainerNode[], verb: Verb): Promise<boolean> {
  const all = Array.isArray(nodes) ? nodes as readonly ContainerNode[] : [nodes as ContainerNode];
  const levels = all.filter((n): n is LevelNode => n instanceof LevelNode);
  const subject = all.length === 1 ? `${levels.length ? 'level' : 'container'} ${displayText(all[0].name)}` : plural(all.length, 'container');
  if (!levels.length) {
    if (verb !== 'Remove') return true;
    const choice = await ctx.prompts.confirm(`Remove ${subject}?`, `${all.length === 1 ? 'The container and its' : 'The containers and their'} anonymous volumes are removed.`, 'Remove');
    return choice === 'Remove';
  }
  const counted = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window,
    title: `Counting what runs inside ${levels.length === 1 ? displayText(levels[0].name) : plural(levels.length, 'level')}…` },
  () => Promise.all(levels.map((l) => countCascade(ctx.service.registry, l.daemon, l.container.Id))));
  const total = counted.reduce((t, c) => ({ containers: t.containers + c.containers, levels: t.levels + c.levels, unreachable: t.unreachable + c.unreachable }),
    { containers: 0, levels: 0, unreachable: 0 });
  const inside = all.length === 1 ? 'it' : levels.length === 1 ? `level ${displayText(levels[0].name)}` : `the ${plural(levels.length, 'level')} among them`;
  const consequence = verb === 'Remove'
    ? `Everything inside ${inside} dies with it: ${cascadeText(total)}, with their images and volumes.`
    : `Everything inside ${inside} stops with it: ${cascadeText(total)}.`;
  const choice = await ctx.prompts.confirm(`${verb} ${subject}?`, consequence, verb);
  return choice === verb;
}
