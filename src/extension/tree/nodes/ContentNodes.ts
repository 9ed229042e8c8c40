import * as vscode from 'vscode';
import { DaemonLevel, displayText, escapeMarkdown, LevelImage, LevelNetwork, LevelVolume, shortRef } from '../../../core';
import type { ContentTarget } from '../contentTargets';
import { contextValue } from '../contextValues';
import { TreeNode } from './TreeNode';

/** Where an item is, for tooltips. */
function levelLine(daemon: DaemonLevel): string {
  return `Level: ${escapeMarkdown(daemon.isRoot ? `${daemon.root.label} (root)` : `L${daemon.depth} ${daemon.path}`)}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

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
