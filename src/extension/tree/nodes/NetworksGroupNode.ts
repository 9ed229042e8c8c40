import { DaemonLevel, LevelNetwork, LiveLevelContents } from '../../../core';
import type { TreeContext } from '../treeContext';
import { byName, ContentGroupNode } from './ContentGroupNode';
import { NetworkNode } from './NetworkNode';
import type { TreeNode } from './TreeNode';

/** Networks of a level, by name. */
export class NetworksGroupNode extends ContentGroupNode {
  constructor(ctx: TreeContext, parent: TreeNode, daemon: DaemonLevel) {
    super(ctx, parent, daemon, 'network', 'Networks', 'type-hierarchy');
  }

  protected async items(source: LiveLevelContents): Promise<TreeNode[]> {
    const { items } = await source.list('network');
    return items.length ? [...items].sort(byName((n: LevelNetwork) => n.name)).map((n) => new NetworkNode(this, this.daemon, n)) : this.none();
  }
}
