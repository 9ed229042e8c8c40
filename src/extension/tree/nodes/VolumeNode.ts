import * as vscode from 'vscode';
import { DaemonLevel, displayText, escapeMarkdown, LevelVolume } from '../../../core';
import type { ContentTarget } from '../contentTargets';
import { contextValue } from '../contextValues';
import { levelLine } from './contentText';
import { TreeNode } from './TreeNode';

/** A volume at a level. */
export class VolumeNode extends TreeNode {
  readonly id: string;

  constructor(parent: TreeNode, public daemon: DaemonLevel, public volume: LevelVolume) {
    super(parent);
    this.id = `${parent.id}/${volume.name}`;
  }

  protected update(fresh: this): void {
    this.daemon = fresh.daemon;
    this.volume = fresh.volume;
  }

  get contentTarget(): ContentTarget {
    return { kind: 'volume', daemon: this.daemon, id: this.volume.name, name: this.volume.name, tags: [], node: this };
  }

  getTreeItem(): vscode.TreeItem {
    const v = this.volume;
    const item = new vscode.TreeItem(displayText(v.name, 200), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('database');
    item.contextValue = contextValue('volume');
    item.description = displayText(v.driver, 40);
    item.tooltip = new vscode.MarkdownString([
      `**${escapeMarkdown(v.name)}**`,
      `Driver: ${escapeMarkdown(v.driver)} · scope ${escapeMarkdown(v.scope)}`,
      v.mountpoint ? `Mountpoint: ${escapeMarkdown(v.mountpoint)}` : '',
      v.createdAt ? `Created: ${escapeMarkdown(v.createdAt)}` : '',
      levelLine(this.daemon),
    ].filter(Boolean).join('\n\n'));
    return item;
  }
}
