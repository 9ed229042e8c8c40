import * as vscode from 'vscode';
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
    const item = new vscode.TreeItem(this.message, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.options.severity === 'error' ? 'error' : 'info',
      this.options.severity === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
    item.tooltip = this.options.detail ?? this.message;
    item.contextValue = contextValue('message', this.options.retryTargetId !== undefined && 'retry');
    if (this.options.retryTargetId !== undefined) {
      item.command = { command: 'docker-levels.retry', title: 'Retry', arguments: [this] };
    }
    return item;
  }
}
