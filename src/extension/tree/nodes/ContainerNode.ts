import * as vscode from 'vscode';
import {
  containerName, containerNodeId, ContainerSummary, DaemonLevel, describePort, describePorts, displayText, escapeMarkdown, portsFromListing,
} from '../../../core';
import { contextValue } from '../contextValues';
import type { TreeContext } from '../treeContext';
import { FilesNode } from './FilesNode';
import { portsRows, portsSignature } from './PortNodes';
import { TreeNode } from './TreeNode';

function stateIcon(state: string): vscode.ThemeIcon {
  switch (state) {
    case 'running': return new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('charts.green'));
    case 'paused': return new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('charts.yellow'));
    case 'restarting': return new vscode.ThemeIcon('sync', new vscode.ThemeColor('charts.yellow'));
    case 'dead': return new vscode.ThemeIcon('error', new vscode.ThemeColor('charts.red'));
    default: return new vscode.ThemeIcon('vm-outline');
  }
}

/** Its ports at its own level, with their protocol, from the listing (no extra request). */
function portsText(c: ContainerSummary): string {
  return portsFromListing(c.Ports).map(describePort).join(', ');
}

/** A container on some daemon at some depth. */
export class ContainerNode extends TreeNode {
  readonly id: string;
  name: string;
  protected portsListed = '';

  constructor(protected readonly ctx: TreeContext, parent: TreeNode, private heldDaemon: DaemonLevel, public container: ContainerSummary) {
    super(parent);
    this.id = containerNodeId(heldDaemon.id, container.Id);
    this.name = containerName(container);
  }

  /** A refresh listed this container again: its state, name and ports may have changed. */
  protected update(fresh: this): void {
    this.heldDaemon = fresh.heldDaemon;
    this.container = fresh.container;
    this.name = fresh.name;
  }

  /**
   * The daemon this container runs on. A settings change rebuilds every connection: a node
   * made before it then holds a closed level, and takes the open level of the same id instead.
   */
  get daemon(): DaemonLevel {
    if (this.heldDaemon.isDisposed) {
      const current = this.ctx.service.registry.get(this.heldDaemon.id);
      if (current && !current.isDisposed) this.heldDaemon = current;
    }
    return this.heldDaemon;
  }

  get shortId(): string {
    return this.container.Id.slice(0, 12);
  }

  get isRunning(): boolean {
    return this.container.State === 'running';
  }

  /** Human path of the container, e.g. "dl-bed-l1/dl-bed-l2/web". */
  get path(): string {
    return [this.daemon.path, this.name].filter(Boolean).join('/');
  }

  protected contextFlags(): string[] {
    return [this.container.State === 'running' ? 'running' : this.container.State === 'paused' ? 'paused' : 'stopped'];
  }

  /** Its Files row, and its Ports when it has any; a level lists Files after its daemon's children. */
  protected override loadChildren(): Promise<TreeNode[]> {
    this.portsListed = portsSignature(this.container);
    return Promise.resolve([new FilesNode(this.ctx, this), ...portsRows(this.ctx, this)]);
  }

  /** Its ports come and go with its state (a stopped container lists none): the rows follow. */
  protected override childrenHold(): boolean {
    return this.portsListed === portsSignature(this.container);
  }

  getTreeItem(): vscode.TreeItem {
    // Daemon text: a row shows it as data (visible escapes), like every other place.
    const item = new vscode.TreeItem(displayText(this.name, 200), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const ports = portsText(this.container);
    item.description = [this.shortId, displayText(this.container.Image, 200), describePorts(portsFromListing(this.container.Ports))].filter(Boolean).join(' · ');
    item.iconPath = stateIcon(this.container.State);
    item.contextValue = contextValue('container', ...this.contextFlags());
    item.tooltip = new vscode.MarkdownString([
      `**${escapeMarkdown(this.name)}** — ${escapeMarkdown(this.container.State)} (${escapeMarkdown(this.container.Status)})`,
      `ID: ${escapeMarkdown(this.container.Id)}`,
      `Image: ${escapeMarkdown(this.container.Image)}`,
      ports ? `Ports: ${escapeMarkdown(ports)}` : '',
      `Level: ${escapeMarkdown(this.daemon.isRoot ? `${this.daemon.root.label} (root)` : `L${this.daemon.depth} ${this.daemon.path}`)}`,
    ].filter(Boolean).join('\n\n'));
    return item;
  }
}
