import * as vscode from 'vscode';
import { DaemonLevel, displayText, escapeMarkdown, LevelImage, shortRef } from '../../../core';
import type { ContentTarget } from '../contentTargets';
import { contextValue } from '../contextValues';
import { levelLine, megabytes } from './contentText';
import { TreeNode } from './TreeNode';

/** An image at a level; its commands get `contentTarget`. */
export class ImageNode extends TreeNode {
  readonly id: string;

  constructor(parent: TreeNode, public daemon: DaemonLevel, public image: LevelImage) {
    super(parent);
    this.id = `${parent.id}/${image.id}`;
  }

  protected update(fresh: this): void {
    this.daemon = fresh.daemon;
    this.image = fresh.image;
  }

  get contentTarget(): ContentTarget {
    const i = this.image;
    return { kind: 'image', daemon: this.daemon, id: i.id, name: i.tags[0] ?? shortRef(i.id), tags: i.tags, node: this };
  }

  getTreeItem(): vscode.TreeItem {
    const i = this.image;
    const item = new vscode.TreeItem(displayText(i.tags[0] ?? '<none>', 200), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('file-media');
    item.contextValue = contextValue('image', !i.tags.length && 'dangling');
    const more = i.tags.length > 1 ? `+${i.tags.length - 1} tags` : '';
    item.description = [shortRef(i.id), more, megabytes(i.sizeBytes)].filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString([
      `**${escapeMarkdown(i.tags[0] ?? '<none>')}**`,
      `ID: ${escapeMarkdown(i.id)}`,
      i.tags.length > 1 ? `Tags: ${i.tags.map((t) => escapeMarkdown(t)).join(', ')}` : '',
      `Size: ${megabytes(i.sizeBytes)}`,
      i.created ? `Created: ${new Date(i.created * 1000).toISOString()}` : '',
      levelLine(this.daemon),
    ].filter(Boolean).join('\n\n'));
    return item;
  }
}
