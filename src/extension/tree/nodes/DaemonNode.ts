import * as vscode from 'vscode';
import { DaemonInfo, displayText, escapeMarkdown, rootNodeId } from '../../../core';
import type { RootEntry } from '../../levelsService';
import { contextValue } from '../contextValues';
import type { TreeContext } from '../treeContext';
import { containerChildren } from './LevelNode';
import { MessageNode } from './MessageNode';
import { TreeNode } from './TreeNode';

/** How long a redraw waits for fresh counts before showing the last ones. */
const INFO_REFRESH_WAIT_MS = 1500;

/** A root daemon: the local one or one from dockerLevels.endpoints. */
export class DaemonNode extends TreeNode {
  readonly id: string;
  /** rootNodes() fetched the info just before the first render. */
  private infoIsFresh = true;

  constructor(private readonly ctx: TreeContext, public entry: RootEntry, private currentInfo: DaemonInfo | undefined, public error: string | undefined) {
    super(undefined, ctx);
    this.id = rootNodeId(entry.id);
  }

  /** The roots were fetched again: the entry (rebuilt on a settings change), info and error are new. */
  protected update(fresh: this): void {
    this.entry = fresh.entry;
    this.currentInfo = fresh.currentInfo;
    this.error = fresh.error;
    this.infoIsFresh = true;
  }

  /** The containers are kept current by the daemon's events while it is followed. */
  protected override childrenHold(): boolean {
    const level = this.entry.level;
    return !!level && !this.error && this.ctx.isLive(level);
  }

  get info(): DaemonInfo | undefined {
    return this.currentInfo;
  }

  /**
   * Fetches /info again when this node is redrawn after its containers changed, so that the
   * running/total counts in its description are not those of when the tree was built. A slow
   * daemon keeps the last counts rather than holding up the row.
   */
  async refreshInfo(): Promise<void> {
    const level = this.entry.level;
    if (this.infoIsFresh || !level || this.error) {
      this.infoIsFresh = false;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const info = await Promise.race([
      level.info().catch(() => undefined),
      new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), INFO_REFRESH_WAIT_MS); }),
    ]).finally(() => clearTimeout(timer));
    if (info) this.currentInfo = info;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.info?.Name ? `${this.entry.label} (${displayText(this.info.Name, 120)})` : this.entry.label,
      vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('server-environment', this.error ? new vscode.ThemeColor('errorForeground') : undefined);
    item.contextValue = contextValue('daemon', this.entry.fromSettings && 'configured', !this.error && 'reachable');
    const level = this.entry.level;
    if (this.info) {
      item.description = `engine ${displayText(this.info.ServerVersion, 40)} · ${this.info.ContainersRunning} running / ${this.info.Containers}`;
    } else {
      item.description = 'unreachable';
    }
    item.tooltip = new vscode.MarkdownString([
      `**${escapeMarkdown(this.entry.label)}**`,
      `Endpoint: ${escapeMarkdown(this.entry.url ?? '?')}`,
      level ? `Transport: ${level.transport.kind}` : '',
      this.info ? `OS: ${escapeMarkdown(this.info.OperatingSystem)} (${escapeMarkdown(this.info.OSType)}/${escapeMarkdown(this.info.Architecture)})` : '',
      this.info ? `Storage driver: ${escapeMarkdown(this.info.Driver)}` : '',
      this.error ? `Error: ${escapeMarkdown(this.error)}` : '',
    ].filter(Boolean).join('\n\n'));
    return item;
  }

  protected override async loadChildren(): Promise<TreeNode[]> {
    const level = this.entry.level;
    if (!level || this.error) {
      return [new MessageNode(this, this.error ?? this.entry.error?.message ?? 'Not reachable', {
        severity: 'error', detail: this.entry.error?.userMessage ?? this.error, retryTargetId: this.id,
      })];
    }
    return containerChildren(this.ctx, level, this);
  }
}
