import { DaemonLevel, displayText, DockerLevelsError } from '../../core';
import { ContainerNode } from '../tree/nodes/ContainerNode';
import { DaemonNode } from '../tree/nodes/DaemonNode';
import { LevelNode } from '../tree/nodes/LevelNode';
import type { CommandContext } from './commandContext';

/**
 * Commands get their node from the tree's context menu; from the palette, the user picks one
 * among the nodes the tree has shown.
 */
export async function containerArgument(ctx: CommandContext, arg: unknown, filter: (n: ContainerNode) => boolean = () => true,
  placeHolder = 'Pick a container'): Promise<ContainerNode | undefined> {
  if (arg instanceof ContainerNode) return arg;
  // What a collapsed level showed may be gone: it lists again before it is offered.
  const shown = ctx.tree.shownNodes().filter((n): n is ContainerNode => n instanceof ContainerNode && filter(n));
  const candidates = (await ctx.tree.recheck(shown)).filter(filter);
  if (candidates.length === 0) {
    throw new DockerLevelsError('notFound', 'No matching container is shown in the Levels view.', 'Expand the levels you want in the Docker Levels view first.');
  }
  const pick = await ctx.prompts.pick(candidates.map((n) => ({
    label: displayText(n.name), description: displayText(`${n.shortId} · ${n.container.State}`), detail: displayText(n.daemon.isRoot ? n.daemon.root.label : `L${n.daemon.depth} ${n.daemon.path}`), node: n,
  })), { placeHolder, matchOnDescription: true, matchOnDetail: true });
  return pick?.node;
}

/**
 * The containers a lifecycle command acts on: with multi-select, every selected container row
 * the command applies to (the clicked one among them), except those inside a selected level,
 * which go with it; else the clicked row, or one picked from the palette.
 */
export async function containerArguments(ctx: CommandContext, arg: unknown, selected: unknown, filter: (n: ContainerNode) => boolean,
  placeHolder: string): Promise<ContainerNode[]> {
  if (arg instanceof ContainerNode && Array.isArray(selected) && selected.includes(arg)) {
    const chosen = selected.filter((s): s is ContainerNode => s instanceof ContainerNode && !s.isDisposed && filter(s));
    const levels = new Set(chosen.filter((n) => n instanceof LevelNode).map((n) => n.id));
    const inside = (n: ContainerNode) => { for (let p = n.parent; p; p = p.parent) if (levels.has(p.id)) return true; return false; };
    return chosen.filter((n) => !inside(n));
  }
  const one = await containerArgument(ctx, arg, filter, placeHolder);
  return one ? [one] : [];
}

/** A daemon to act on: a root node, or the nested daemon of a level node. */
export async function daemonArgument(ctx: CommandContext, arg: unknown, placeHolder = 'Pick a daemon or level'): Promise<{ daemon: DaemonLevel; label: string } | undefined> {
  if (arg instanceof DaemonNode) {
    if (!arg.entry.level || arg.error) throw new DockerLevelsError('unreachable', `${arg.entry.label} is not reachable: ${arg.error ?? ''}`);
    return { daemon: arg.entry.level, label: arg.entry.label };
  }
  if (arg instanceof LevelNode) {
    return { daemon: await ctx.service.registry.openLevel(arg.daemon, arg.container.Id), label: arg.path };
  }
  const choices = [
    ...ctx.service.roots().filter((r) => r.level).map((r) => ({ label: displayText(r.label), description: 'root daemon', daemon: r.level! })),
    ...ctx.service.registry.openLevels().map((l) => ({ label: displayText(l.path), description: `L${l.depth} · ${l.transport.kind}`, daemon: l })),
  ];
  const pick = await ctx.prompts.pick(choices, { placeHolder });
  return pick ? { daemon: pick.daemon, label: pick.label } : undefined;
}
