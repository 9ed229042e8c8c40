import * as vscode from 'vscode';
import { displayText } from '../../../core';
import { contextValue } from '../contextValues';
import { TreeNode } from './TreeNode';

export interface MessageOptions {
  severity: 'error' | 'info';
  detail?: string;
  /** What Retry does: the id of the node whose children are fetched again. */
  retryTargetId?: string;
}

/** A failure or note in place of children: "Cannot reach …", with Retry and Show Log. Never a toast. */
export class MessageNode extends TreeNode {
  readonly id: string;

  constructor(parent: TreeNode, public message: string, public options: MessageOptions) {
    super(parent);
    this.id = `${parent.id}#message`;
  }

  protected update(fresh: this): void {
    this.message = fresh.message;
    this.options = fresh.options;
  }

  getTreeItem(): vscode.TreeItem {
    // A message may quote a lying level: shown as data, one line.
    const item = new vscode.TreeItem(displayText(this.message, 1000), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.options.severity === 'error' ? 'error' : 'info',
      this.options.severity === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
    item.tooltip = displayText(this.options.detail ?? this.message, 2000);
    item.contextValue = contextValue('message', this.options.retryTargetId !== undefined && 'retry');
    if (this.options.retryTargetId !== undefined) {
      item.command = { command: 'docker-levels.retry', title: 'Retry', arguments: [this] };
    }
    return item;
  }
}
