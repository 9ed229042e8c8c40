import { DaemonLevel, toChildSpecs } from '../../../core';
import type { TreeContext } from '../treeContext';
import { ContainerNode } from './ContainerNode';
import { LevelNode } from './LevelNode';
import { MessageNode } from './MessageNode';
import type { TreeNode } from './TreeNode';

/**
 * The children of any node that stands for a daemon: its containers, each a LevelNode when
 * listing data says it runs a daemon (no request per container), else a ContainerNode.
 */
export async function containerChildren(ctx: TreeContext, daemon: DaemonLevel, parent: TreeNode): Promise<TreeNode[]> {
  let list;
  try {
    list = await ctx.listContainers(daemon, ctx.service.current.showStoppedContainers);
  } catch (err) {
    const e = ctx.errors.log(err, daemon.what);
    return [new MessageNode(parent, e.message, { severity: 'error', detail: e.userMessage, retryTargetId: parent.id })];
  }
  ctx.watch(daemon, parent);
  if (list.length === 0) return [new MessageNode(parent, 'No containers', { severity: 'info' })];
  // Levels first, then running, then by name: the tree is about the levels.
  return toChildSpecs(daemon.id, list, ctx.notDaemons).map((spec) => (spec.isLevel
    ? new LevelNode(ctx, parent, daemon, spec.container)
    : new ContainerNode(ctx, parent, daemon, spec.container)));
}
