import * as vscode from 'vscode';
import { DaemonLevel, displayText, findOrphanedLevelData } from '../../../core';
import type { OrphanTarget } from '../contentTargets';
import { contextValue } from '../contextValues';
import type { TreeContext } from '../treeContext';
import { MessageNode } from './MessageNode';
import { OrphanedVolumeNode } from './OrphanedVolumeNode';
import { GroupNode, TreeNode } from './TreeNode';

/**
 * "Orphaned Level Data" under a daemon whose disk reading lists unused anonymous volumes: when
 * expanded, those that hold a Docker root (a removed dind container's /var/lib/docker) are
 * listed with their size. Looking costs a probe container, so it happens only on expand.
 */
export class OrphanedLevelDataNode extends GroupNode {
  constructor(private readonly ctx: TreeContext, parent: TreeNode, public daemon: DaemonLevel) {
    super(parent, `${parent.id}#orphaned`, 'Orphaned Level Data');
  }

  protected override update(fresh: this): void {
    this.daemon = fresh.daemon;
  }

  get orphanTarget(): OrphanTarget {
    return { daemon: this.daemon, label: this.daemon.isRoot ? this.daemon.root.label : this.daemon.path, node: this };
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, this.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('trash', new vscode.ThemeColor('charts.yellow'));
    item.contextValue = contextValue('orphans');
    item.description = 'unused anonymous volumes';
    item.tooltip = `Volumes on ${displayText(this.daemon.what)} that may be a removed dind container's /var/lib/docker: expand to look into them.`;
    return item;
  }

  protected async listItems(): Promise<TreeNode[]> {
    try {
      const found = await findOrphanedLevelData(this.daemon);
      if (!found.length) return [new MessageNode(this, 'No orphaned level data', { severity: 'info' })];
      return found.map((o) => new OrphanedVolumeNode(this, this.orphanTarget, o));
    } catch (err) {
      const e = this.ctx.errors.log(err, this.daemon.what);
      return [new MessageNode(this, e.message, { severity: 'error', detail: e.userMessage, retryTargetId: this.id })];
    }
  }
}
