import * as vscode from 'vscode';
import { displayText } from '../../../core';
import { contextValue } from '../contextValues';
import { TreeNode } from './TreeNode';

export interface MessageOptions {
  severity: 'error' | 'info';
  detail?: string;
  /** What Retry does: the id of the node whose children are fetched again. */
  retryTargetId?: string;
  /** The last lines of the failed level's daemon log (display-safe, bounded): shown in the row. */
  logLines?: readonly string[];
}

/** The longest last log line a row's description shows; the tooltip has all the lines. */
const LOG_LINE_IN_ROW = 160;

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
    const log = this.options.logLines ?? [];
    const detail = displayText(this.options.detail ?? this.message, 2000);
    // A plain-string tooltip keeps its line breaks; each daemon log line is escaped on its own.
    item.tooltip = log.length
      ? [detail, '', 'Last lines of its daemon log:', ...log.map((l) => displayText(l, LOG_LINE_IN_ROW * 4))].join('\n')
      : detail;
    if (log.length) item.description = displayText(log[log.length - 1], LOG_LINE_IN_ROW);
    item.contextValue = contextValue('message', this.options.retryTargetId !== undefined && 'retry', log.length > 0 && 'daemonLog');
    if (this.options.retryTargetId !== undefined) {
      item.command = { command: 'docker-levels.retry', title: 'Retry', arguments: [this] };
    }
    return item;
  }
}
