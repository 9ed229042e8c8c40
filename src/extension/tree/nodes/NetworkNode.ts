import * as vscode from 'vscode';
import { DaemonLevel, displayText, escapeMarkdown, LevelNetwork } from '../../../core';
import type { ContentTarget } from '../contentTargets';
import { contextValue } from '../contextValues';
import { levelLine } from './contentText';
import { TreeNode } from './TreeNode';

/** A network at a level. */
export class NetworkNode extends TreeNode {
  readonly id: string;

  constructor(parent: TreeNode, public daemon: DaemonLevel, public network: LevelNetwork) {
    super(parent);
    this.id = `${parent.id}/${network.id}`;
  }

  protected update(fresh: this): void {
    this.daemon = fresh.daemon;
    this.network = fresh.network;
  }

  get contentTarget(): ContentTarget {
    return { kind: 'network', daemon: this.daemon, id: this.network.id, name: this.network.name, tags: [], node: this };
  }

  getTreeItem(): vscode.TreeItem {
    const n = this.network;
    const item = new vscode.TreeItem(displayText(n.name, 200), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('type-hierarchy');
    item.contextValue = contextValue('network');
    item.description = [displayText(n.driver, 40), n.id.slice(0, 12), n.internal ? 'internal' : ''].filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString([
      `**${escapeMarkdown(n.name)}**`,
      `ID: ${escapeMarkdown(n.id)}`,
      `Driver: ${escapeMarkdown(n.driver)} · scope ${escapeMarkdown(n.scope)}${n.internal ? ' · internal' : ''}`,
      levelLine(this.daemon),
    ].filter(Boolean).join('\n\n'));
    return item;
  }
}
