import * as vscode from 'vscode';
import { ContentKind, DaemonLevel, displayText, LiveLevelContents } from '../../../core';
import { contextValue } from '../contextValues';
import type { TreeContext } from '../treeContext';
import { MessageNode } from './MessageNode';
import { Disposable, GroupNode, TreeNode } from './TreeNode';

/**
 * Images, Volumes or Networks of a level: collapsed, listed only when expanded, through the
 * level's LiveLevelContents, and listed again when an event of its kind arrives while it is
 * expanded. A failure is a MessageNode child, never a toast.
 */
export abstract class ContentGroupNode extends GroupNode {
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

/** Items sorted by the name a row shows. */
export const byName = <T>(name: (t: T) => string) => (a: T, b: T) => name(a).localeCompare(name(b));
