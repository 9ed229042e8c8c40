import { DaemonLevel, LevelImage, LiveLevelContents } from '../../../core';
import type { TreeContext } from '../treeContext';
import { byName, ContentGroupNode } from './ContentGroupNode';
import { ImageNode } from './ImageNode';
import type { TreeNode } from './TreeNode';

/** Images of a level, by name. */
export class ImagesGroupNode extends ContentGroupNode {
  constructor(ctx: TreeContext, parent: TreeNode, daemon: DaemonLevel) {
    super(ctx, parent, daemon, 'image', 'Images', 'file-media');
  }

  protected async items(source: LiveLevelContents): Promise<TreeNode[]> {
    const { items } = await source.list('image');
    const name = (i: LevelImage) => i.tags[0] ?? `~${i.id}`;
    return items.length ? [...items].sort(byName(name)).map((i) => new ImageNode(this, this.daemon, i)) : this.none();
  }
}
