import type { ContentKind, DaemonLevel, OrphanedLevelVolume } from '../../core';
import type { TreeNode } from './nodes/TreeNode';

/** An image, volume or network at a level, as its tree node (or a palette pick) hands it to the commands. */
export interface ContentTarget {
  readonly kind: ContentKind;
  readonly daemon: DaemonLevel;
  /** Image ID, volume name or network ID. */
  readonly id: string;
  /** What the user reads: the first tag (or short ID), the volume or network name. */
  readonly name: string;
  /** Image tags; empty for volumes and networks. */
  readonly tags: readonly string[];
  /** The node that shows it, when a node does: refreshed after a change. */
  readonly node?: TreeNode;
}

/** A compose project at a level. */
export interface ComposeTarget {
  readonly daemon: DaemonLevel;
  readonly project: string;
  readonly node?: TreeNode;
}

/** What Remove Orphaned Level Data… acts on when it is run from this group or one of its rows. */
export interface OrphanTarget {
  readonly daemon: DaemonLevel;
  /** Where, for messages: the level's path or the root's label. */
  readonly label: string;
  /** The one volume of a row; none for the whole group. */
  readonly volume?: OrphanedLevelVolume;
  readonly node: TreeNode;
}
