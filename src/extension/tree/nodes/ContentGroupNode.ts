import * as vscode from 'vscode';
import { ContentKind, DaemonLevel, displayText, LevelImage, LevelNetwork, LevelVolume, LiveLevelContents } from '../../../core';
import { contextValue } from '../contextValues';
import type { TreeContext } from '../treeContext';
import { ImageNode, NetworkNode, VolumeNode } from './ContentNodes';
import { MessageNode } from './MessageNode';
import { Disposable, GroupNode, TreeNode } from './TreeNode';

/**
 * Images, Volumes or Networks of a level: collapsed, listed only when expanded, through the
 * level's LiveLevelContents, and listed again when an event of its kind arrives while it is
 * expanded. A failure is a MessageNode child, never a toast.
 */
abstract class ContentGroupNode extends GroupNode {
  private source: LiveLevelContents | undefined;
  private subscription: Disposable | undefined;

  constructor(protected readonly ctx: TreeContext, parent: TreeNode, public daemon: DaemonLevel, readonly kind: ContentKind, label: string,
    private readonly icon: string) {
    super(parent, `${parent.id}#${kind}s`, label);
  }

  /** The level was reopened (a settings change): list from the new one. */
  protected override update(fresh: this): void {
    this.daemon = fresh.daemon;
  }

  /** Kept while the level's stream keeps the listing current; else listed on every ask. */
  protected override childrenHold(): boolean {
    return !!this.source && this.source === this.ctx.contentsOf(this.daemon) && this.ctx.isLive(this.daemon);
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, this.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.contextValue = contextValue(`${this.kind}s` as 'images' | 'volumes' | 'networks');
    item.tooltip = `${this.label} of ${displayText(this.daemon.what)}`;
    return item;
  }

  protected async listItems(): Promise<TreeNode[]> {
    const source = this.ctx.contentsOf(this.daemon);
    if (source !== this.source) {
      this.subscription?.dispose();
      this.source = source;
      // An event of this kind: shown again only if it is expanded (a collapsed group costs nothing).
      this.subscription = this.own(source.onDidChange((kind) => {
        if (kind === this.kind && this.expanded && !this.isDisposed) void this.reload();
      }));
    }
    try {
      return await this.items(source);
    } catch (err) {
      const e = this.ctx.errors.log(err, this.daemon.what);
      return [new MessageNode(this, e.message, { severity: 'error', detail: e.userMessage, retryTargetId: this.id })];
    }
  }

  protected abstract items(source: LiveLevelContents): Promise<TreeNode[]>;

  protected none(): TreeNode[] {
    return [new MessageNode(this, `No ${this.kind}s`, { severity: 'info' })];
  }
}

const byName = <T>(name: (t: T) => string) => (a: T, b: T) => name(a).localeCompare(name(b));

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

export class VolumesGroupNode extends ContentGroupNode {
  constructor(ctx: TreeContext, parent: TreeNode, daemon: DaemonLevel) {
    super(ctx, parent, daemon, 'volume', 'Volumes', 'database');
  }

  protected async items(source: LiveLevelContents): Promise<TreeNode[]> {
    const { items } = await source.list('volume');
    return items.length ? [...items].sort(byName((v: LevelVolume) => v.name)).map((v) => new VolumeNode(this, this.daemon, v)) : this.none();
  }
}

export class NetworksGroupNode extends ContentGroupNode {
  constructor(ctx: TreeContext, parent: TreeNode, daemon: DaemonLevel) {
    super(ctx, parent, daemon, 'network', 'Networks', 'type-hierarchy');
  }

  protected async items(source: LiveLevelContents): Promise<TreeNode[]> {
    const { items } = await source.list('network');
    return items.length ? [...items].sort(byName((n: LevelNetwork) => n.name)).map((n) => new NetworkNode(this, this.daemon, n)) : this.none();
  }
}

/** The three groups every reachable level shows after its containers. */
export function contentGroups(ctx: TreeContext, parent: TreeNode, daemon: DaemonLevel): TreeNode[] {
  return [new ImagesGroupNode(ctx, parent, daemon), new VolumesGroupNode(ctx, parent, daemon), new NetworksGroupNode(ctx, parent, daemon)];
}
