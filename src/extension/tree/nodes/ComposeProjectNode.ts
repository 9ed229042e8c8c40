import * as vscode from 'vscode';
import { ContainerSummary, DaemonLevel, displayText, escapeMarkdown } from '../../../core';
import type { ComposeTarget } from '../contentTargets';
import { contextValue } from '../contextValues';
import type { TreeContext } from '../treeContext';
import { GroupNode, TreeNode } from './TreeNode';

/**
 * The containers of one compose project at a level (dockerLevels.groupByComposeProject). Its
 * containers come with its parent's listing, so it asks the daemon nothing itself; its
 * commands get `composeTarget`.
 */
export class ComposeProjectNode extends GroupNode {
  constructor(private readonly ctx: TreeContext, parent: TreeNode, public daemon: DaemonLevel, readonly project: string,
    public containers: ContainerSummary[],
    private readonly nodesOf: (ctx: TreeContext, daemon: DaemonLevel, parent: TreeNode, list: readonly ContainerSummary[]) => TreeNode[]) {
    super(parent, `${parent.id}#compose:${project}`, project);
  }

  /** The parent listed again: the project's containers may have changed, so its rows are made again. */
  protected override update(fresh: this): void {
    this.daemon = fresh.daemon;
    this.containers = fresh.containers;
    this.invalidate();
  }

  /** What the compose commands act on. */
  get composeTarget(): ComposeTarget {
    return { daemon: this.daemon, project: this.project, node: this };
  }

  get runningCount(): number {
    return this.containers.filter((c) => c.State === 'running').length;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(displayText(this.project, 200), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('layers', this.runningCount ? new vscode.ThemeColor('charts.green') : undefined);
    item.contextValue = contextValue('compose', this.runningCount > 0 && 'running');
    item.description = `compose · ${this.runningCount} running / ${this.containers.length}`;
    item.tooltip = new vscode.MarkdownString([
      `**${escapeMarkdown(this.project)}** — compose project`,
      `Containers: ${this.containers.map((c) => escapeMarkdown(c.Names?.[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12))).join(', ')}`,
    ].join('\n\n'));
    return item;
  }

  protected listItems(): Promise<TreeNode[]> {
    return Promise.resolve(this.nodesOf(this.ctx, this.daemon, this, this.containers));
  }
}
