import { DaemonLevel, LevelVolume, LiveLevelContents } from '../../../core';
import type { TreeContext } from '../treeContext';
import { byName, ContentGroupNode } from './ContentGroupNode';
import { VolumeNode } from './VolumeNode';
import type { TreeNode } from './TreeNode';

/** Volumes of a level, by name. */
export class VolumesGroupNode extends ContentGroupNode {
  constructor(ctx: TreeContext, parent: TreeNode, daemon: DaemonLevel) {
    super(ctx, parent, daemon, 'volume', 'Volumes', 'database');
  }

  protected async items(source: LiveLevelContents): Promise<TreeNode[]> {
    const { items } = await source.list('volume');
    return items.length ? [...items].sort(byName((v: LevelVolume) => v.name)).map((v) => new VolumeNode(this, this.daemon, v)) : this.none();
  }
}
