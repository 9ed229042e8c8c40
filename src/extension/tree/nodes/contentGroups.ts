import type { DaemonLevel } from '../../../core';
import type { TreeContext } from '../treeContext';
import { ImagesGroupNode } from './ImagesGroupNode';
import { NetworksGroupNode } from './NetworksGroupNode';
import type { TreeNode } from './TreeNode';
import { VolumesGroupNode } from './VolumesGroupNode';

/** The three groups every reachable level shows after its containers. */
export function contentGroups(ctx: TreeContext, parent: TreeNode, daemon: DaemonLevel): TreeNode[] {
  return [new ImagesGroupNode(ctx, parent, daemon), new VolumesGroupNode(ctx, parent, daemon), new NetworksGroupNode(ctx, parent, daemon)];
}
