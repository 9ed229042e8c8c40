import {
  ContentKind, DaemonLevel, displayText, DockerLevelsError, groupByComposeProject, listLevelImages, listLevelNetworks, listLevelVolumes, shortRef,
} from '../../core';
import type { TreeNode } from '../tree/nodes/TreeNode';
import type { CommandContext } from './commandContext';
import { daemonArgument } from './nodeArguments';

import type { ComposeTarget, ContentTarget } from '../tree/contentTargets';

export type { ComposeTarget, ContentTarget };

/** Nodes that stand for an image, volume or network carry their target. */
interface CarriesContent { contentTarget: ContentTarget }
interface CarriesCompose { composeTarget: ComposeTarget }

const carriesContent = (x: unknown, kind: ContentKind): x is CarriesContent =>
  typeof x === 'object' && x !== null && (x as Partial<CarriesContent>).contentTarget?.kind === kind;
const carriesCompose = (x: unknown): x is CarriesCompose => typeof x === 'object' && x !== null && !!(x as Partial<CarriesCompose>).composeTarget;

/** The image of an image node, else undefined. */
export function imageTargetOf(arg: unknown): ContentTarget | undefined {
  return carriesContent(arg, 'image') ? arg.contentTarget : undefined;
}

/** Where a level is, for quick picks and messages. */
export function levelText(daemon: DaemonLevel): string {
  return daemon.isRoot ? daemon.root.label : `L${daemon.depth} ${daemon.path}`;
}

/** The items of one kind at a level, as targets. */
async function listTargets(daemon: DaemonLevel, kind: ContentKind): Promise<ContentTarget[]> {
  if (kind === 'image') {
    return (await listLevelImages(daemon)).items.map((i) => ({ kind, daemon, id: i.id, name: i.tags[0] ?? shortRef(i.id), tags: i.tags }));
  }
  if (kind === 'volume') return (await listLevelVolumes(daemon)).items.map((v) => ({ kind, daemon, id: v.name, name: v.name, tags: [] }));
  return (await listLevelNetworks(daemon)).items.map((n) => ({ kind, daemon, id: n.id, name: n.name, tags: [] }));
}

/**
 * The targets a command acts on: the clicked node and, with multi-select, every selected node
 * of the same kind; from the palette, one picked at a chosen level.
 */
export async function contentArguments(ctx: CommandContext, kind: ContentKind, arg: unknown, selected: unknown,
  placeHolder: string): Promise<ContentTarget[]> {
  const many = Array.isArray(selected) ? selected.filter((s): s is CarriesContent => carriesContent(s, kind)).map((s) => s.contentTarget) : [];
  if (carriesContent(arg, kind)) return many.some((t) => t.node === arg.contentTarget.node && t.id === arg.contentTarget.id) ? many : [arg.contentTarget];
  const level = await daemonArgument(ctx, arg, `${placeHolder}: at which level?`);
  if (!level) return [];
  const items = await listTargets(level.daemon, kind);
  if (!items.length) throw new DockerLevelsError('notFound', `${displayText(level.label)} has no ${kind}s.`);
  const pick = await ctx.prompts.pick(items.map((t) => ({
    label: displayText(t.name), description: kind === 'image' ? shortRef(t.id) : kind === 'network' ? t.id.slice(0, 12) : undefined, target: t,
  })), { placeHolder, matchOnDescription: true });
  return pick ? [pick.target] : [];
}

/** A compose project: the clicked group node, or one picked at a chosen level. */
export async function composeArgument(ctx: CommandContext, arg: unknown, placeHolder: string): Promise<ComposeTarget | undefined> {
  if (carriesCompose(arg)) return arg.composeTarget;
  const level = await daemonArgument(ctx, arg, `${placeHolder}: at which level?`);
  if (!level) return undefined;
  const { projects } = groupByComposeProject(await level.daemon.listContainers(true));
  if (!projects.length) throw new DockerLevelsError('notFound', `${displayText(level.label)} has no compose projects.`, 'Containers join a project through the com.docker.compose.project label.');
  const pick = await ctx.prompts.pick(projects.map((p) => ({
    label: displayText(p.name), description: `${p.containers.length} container${p.containers.length === 1 ? '' : 's'}`, project: p.name,
  })), { placeHolder });
  return pick ? { daemon: level.daemon, project: pick.project } : undefined;
}

/**
 * After a change: the group that showed the node. Without a node (the palette) the daemon's
 * event stream brings the change to whatever shows it.
 */
export function refreshAfter(ctx: CommandContext, node: TreeNode | undefined): void {
  if (node?.parent) ctx.tree.refresh(node.parent);
}
