import * as vscode from 'vscode';
import {
  ContainerPort, ContainerSummary, DaemonLevel, describePorts, displayText, escapeMarkdown, PortForward, portNodeId, portsFromListing, portsGroupNodeId,
} from '../../../core';
import { contextValue } from '../contextValues';
import type { TreeContext } from '../treeContext';
import { GroupNode, TreeNode } from './TreeNode';

/** What port rows need of their container's row (a ContainerNode, not imported: no import cycle). */
export interface ContainerRow extends TreeNode {
  readonly name: string;
  readonly container: ContainerSummary;
  readonly daemon: DaemonLevel;
  readonly isRunning: boolean;
}

/** What a refresh compares: the ports of a listing entry, published addresses included. */
export function portsSignature(c: ContainerSummary): string {
  return portsFromListing(c.Ports).map((p) => `${p.port}/${p.protocol}=${p.published.map((b) => `${b.hostIp}:${b.hostPort}`).join(',')}`).join(' ');
}

/**
 * The Ports row of a container that has any (from its listing: no extra request), else nothing.
 * A level's row starts collapsed: its ports are mostly its own daemon's (2375/2376), and its
 * containers are what one expands a level for.
 */
export function portsRows(ctx: TreeContext, container: ContainerRow, collapsed = false): TreeNode[] {
  return portsFromListing(container.container.Ports).length > 0 ? [new PortsGroupNode(ctx, container, collapsed)] : [];
}

/**
 * "Ports" under a container: one row per port it exposes or publishes at its own level. Its
 * rows are redrawn when a forward of one of them starts or stops.
 */
export class PortsGroupNode extends GroupNode {
  private listed = '';
  private watching = false;

  constructor(private readonly ctx: TreeContext, readonly containerNode: ContainerRow, private readonly collapsed = false) {
    super(containerNode, portsGroupNodeId(containerNode.id), 'Ports');
  }

  /** The container's listing carries its ports: the rows hold while they are the same. */
  protected override childrenHold(): boolean {
    return this.listed === portsSignature(this.containerNode.container);
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, this.collapsed ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('plug');
    item.description = describePorts(portsFromListing(this.containerNode.container.Ports));
    item.contextValue = contextValue('ports');
    item.tooltip = `Ports of ${displayText(this.containerNode.name)} at its own level`;
    return item;
  }

  protected listItems(): Promise<TreeNode[]> {
    const forwards = this.ctx.portForwards;
    if (forwards && !this.watching) {
      this.watching = true;
      // Started once it is shown (a fresh instance that a refresh drops never subscribes).
      this.own(forwards.onDidChange(() => {
        for (const c of this.children) if (c instanceof PortNode) c.redrawIfChanged();
      }));
    }
    this.listed = portsSignature(this.containerNode.container);
    return Promise.resolve(portsFromListing(this.containerNode.container.Ports).map((p) => new PortNode(this.ctx, this, p)));
  }
}

/** One port of a container: protocol, published address, and where it is forwarded, if it is. */
export class PortNode extends TreeNode {
  readonly id: string;
  private shownForwards = '';

  constructor(private readonly ctx: TreeContext, readonly group: PortsGroupNode, public port: ContainerPort) {
    super(group);
    this.id = portNodeId(group.containerNode.id, port.port, port.protocol);
  }

  get containerNode(): ContainerRow {
    return this.group.containerNode;
  }

  protected update(fresh: this): void {
    this.port = fresh.port;
  }

  /** The forwards of this container port that serve now. */
  forwards(): PortForward[] {
    const { daemon, container } = this.containerNode;
    return (this.ctx.portForwards?.list() ?? []).filter((f) => f.state === 'serving' && f.daemon.id === daemon.id
      && f.containerId === container.Id && f.port === this.port.port && this.port.protocol === 'tcp');
  }

  /** A forward started or stopped: only a row whose forwards changed is drawn again. */
  redrawIfChanged(): void {
    if (this.isDisposed) return;
    if (this.forwardsText() !== this.shownForwards) this.redraw();
  }

  private forwardsText(): string {
    return this.forwards().map((f) => f.address).join(', ');
  }

  getTreeItem(): vscode.TreeItem {
    const { port, protocol, published } = this.port;
    const tcp = protocol === 'tcp';
    const item = new vscode.TreeItem(`${port}/${protocol}`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    this.shownForwards = this.forwardsText();
    const publishedText = published.map((b) => `${displayText(b.hostIp || '*', 64)}:${b.hostPort}`).join(', ');
    item.description = [
      publishedText && `published ${publishedText}`,
      this.shownForwards && `forwarded to ${this.shownForwards}`,
      !tcp && `${protocol.toUpperCase()}: cannot be forwarded yet`,
    ].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(this.shownForwards ? 'radio-tower' : 'circle-small',
      this.shownForwards ? new vscode.ThemeColor('charts.green') : undefined);
    item.contextValue = contextValue('port', protocol, this.containerNode.isRunning && 'running', !!this.shownForwards && 'forwarded');
    item.tooltip = new vscode.MarkdownString([
      `**${port}/${protocol}** of ${escapeMarkdown(this.containerNode.name)}`,
      publishedText ? `Published by its daemon on ${escapeMarkdown(publishedText)}` : 'Exposed, not published by its daemon',
      this.shownForwards ? `Forwarded to ${escapeMarkdown(this.shownForwards)} on this machine` : '',
      tcp ? '' : `${protocol.toUpperCase()} ports cannot be forwarded yet: Docker Levels forwards TCP only.`,
    ].filter(Boolean).join('\n\n'));
    return item;
  }
}
