import type { ContentKind, DaemonLevel } from '../../core';
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
