import * as vscode from 'vscode';
import { displayText, escapeMarkdown, formatBytes, OrphanedLevelVolume } from '../../../core';
import { contextValue } from '../contextValues';
import type { OrphanTarget } from '../contentTargets';
import { TreeNode } from './TreeNode';

/** One volume that was a removed dind container's /var/lib/docker, with its size. */
export class OrphanedVolumeNode extends TreeNode {
  readonly id: string;

  constructor(parent: TreeNode, private group: OrphanTarget, public volume: OrphanedLevelVolume) {
    super(parent);
    this.id = `${parent.id}/${volume.name}`;
  }

  protected update(fresh: this): void {
    this.group = fresh.group;
    this.volume = fresh.volume;
  }

  get orphanTarget(): OrphanTarget {
    return { ...this.group, volume: this.volume, node: this };
  }

  getTreeItem(): vscode.TreeItem {
    const v = this.volume;
    const item = new vscode.TreeItem(displayText(v.name.slice(0, 12), 20), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('database', new vscode.ThemeColor('charts.yellow'));
    item.contextValue = contextValue('orphan');
    item.description = `${formatBytes(v.bytes)} · holds ${v.found.join(', ')}`;
    item.tooltip = new vscode.MarkdownString([
      `**${escapeMarkdown(v.name)}** — orphaned level data`,
      `Size: ${formatBytes(v.bytes)} · holds ${v.found.map((f) => escapeMarkdown(f)).join(', ')}`,
      `Level: ${escapeMarkdown(this.group.label)}`,
    ].join('\n\n'));
    return item;
  }
}
