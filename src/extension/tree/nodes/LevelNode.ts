import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  childLevelId, ContainerSummary, DaemonLevel, daemonHint, daemonLogTail, displayText, escapeMarkdown, groupByComposeProject, showsAsPlainContainer, toChildSpecs,
  WALK_LEVEL_BUDGET,
} from '../../../core';
import { contextValue } from '../contextValues';
import type { TreeContext } from '../treeContext';
import { ComposeProjectNode } from './ComposeProjectNode';
import { contentGroups } from './contentGroups';
import { ContainerNode } from './ContainerNode';
import { FilesNode } from './FilesNode';
import { portsRows, portsSignature } from './PortNodes';
import { MessageNode } from './MessageNode';
import { OrphanedLevelDataNode } from './OrphanedLevelDataNode';
import { acrossRebuild } from './acrossRebuild';
import type { TreeNode } from './TreeNode';

/** Icons that codicons do not cover, in light and dark variants. */
export function resourceIcon(name: string): { light: vscode.Uri; dark: vscode.Uri } {
  const root = path.join(__dirname, '..', 'resources');
  return { light: vscode.Uri.file(path.join(root, 'light', `${name}.svg`)), dark: vscode.Uri.file(path.join(root, 'dark', `${name}.svg`)) };
}

/** A container that runs a Docker daemon: expands into that daemon's containers, at any depth. */
export class LevelNode extends ContainerNode {
  constructor(ctx: TreeContext, parent: TreeNode, daemon: DaemonLevel, container: ContainerSummary) {
    super(ctx, parent, daemon, container);
  }

  /** Id of the nested level this node opens. */
  get levelId(): string {
    return childLevelId(this.daemon.id, this.container.Id);
  }

  /** The nested daemon, if it was opened already. */
  get openLevel(): DaemonLevel | undefined {
    return this.ctx.service.registry.get(this.levelId);
  }

  /** The containers are kept current by the nested daemon's events while it is followed. */
  protected override childrenHold(): boolean {
    const level = this.openLevel;
    return !!level && !level.isDisposed && this.ctx.isLive(level);
  }

  protected override contextFlags(): string[] {
    return [...super.contextFlags(), ...(this.openLevel?.transport.tcpRoute ? ['tcp'] : [])];
  }

  override getTreeItem(): vscode.TreeItem {
    const item = super.getTreeItem();
    item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
    item.contextValue = contextValue('level', ...this.contextFlags());
    item.iconPath = resourceIcon('level');
    const level = this.openLevel;
    const depth = this.daemon.depth + 1;
    item.description = `L${depth} · ${this.shortId}${level ? ` · ${level.transport.kind}` : ''} · ${displayText(this.container.Image, 200)}`;
    const md = item.tooltip as vscode.MarkdownString;
    md.appendMarkdown(`\n\n**Level ${depth}**: ${escapeMarkdown(this.path)}`);
    md.appendMarkdown(level ? `\n\nTransport: ${level.transport.kind} — ${escapeMarkdown(level.transport.address)}` : `\n\nLooks like a daemon: ${escapeMarkdown(daemonHint(this.container)?.reason ?? '')}`);
    return item;
  }

  protected override async loadChildren(): Promise<TreeNode[]> {
    // Its Ports row follows its listing like a plain container's (else childrenHold() never holds).
    this.portsListed = portsSignature(this.container);
    const maxDepth = this.ctx.service.current.maxDepth;
    if (this.daemon.depth + 1 > maxDepth) {
      return [new MessageNode(this, `Not opened: deeper than ${maxDepth} levels`, {
        severity: 'info', detail: `This level is ${this.daemon.depth + 1} levels deep; the setting dockerLevels.maxDepth (${maxDepth}) stops the tree here.`,
      })];
    }
    const wasOpen = !!this.openLevel;
    // A daemon that invents a level in every container must not grow the tree without end.
    const root = this.ctx.service.registry.roots().find((r) => r.root.id === this.daemon.root.id);
    const openUnderRoot = root ? this.ctx.service.registry.levelsUnderRoot(root) : 0;
    if (!wasOpen && openUnderRoot >= WALK_LEVEL_BUDGET) {
      return [new MessageNode(this, `Not opened: ${WALK_LEVEL_BUDGET} levels are open under this root`, {
        severity: 'info', detail: `The tree opens at most ${WALK_LEVEL_BUDGET} levels under one root; a real tree is far smaller, so a daemon here may be inventing levels.`,
      })];
    }
    let listed: TreeNode[];
    try {
      listed = await acrossRebuild(() => this.ctx.service.registry, async () => containerChildren(this.ctx, await this.reachLevel(), this));
    } catch (err) {
      const e = this.ctx.errors.log(err, this.path);
      if (showsAsPlainContainer(e, daemonHint(this.container)?.certain ?? false)) {
        // Only looked like dind, or passes on a daemon above: from now on a plain container.
        this.ctx.notDaemons.add(this.id);
        // The parent lists it again as a ContainerNode (this node is then disposed); not from
        // inside this fetch, which VS Code is still awaiting.
        const parent = this.parent;
        setTimeout(() => { if (parent && !parent.isDisposed) this.ctx.refresh(parent); }, 0);
        return [];
      }
      // Why its daemon does not answer is usually in its own stderr, read one level up.
      const logLines = await daemonLogTail(this.daemon, this.container.Id);
      return [new MessageNode(this, e.message, { severity: 'error', detail: e.userMessage, retryTargetId: this.id, logLines })];
    }
    // Show the transport now that it is known: only the row is redrawn, the children fetched
    // here answer (once: the next render finds the level open).
    if (!wasOpen) setTimeout(() => { if (!this.isDisposed) this.redraw(); }, 0);
    return [...listed, new FilesNode(this.ctx, this), ...portsRows(this.ctx, this, true)];
  }

  /**
   * The nested level, opened in the current connections. After a rebuild the level above may
   * not be open again yet (its row re-lists later): it is opened first, up to the root.
   */
  async reachLevel(): Promise<DaemonLevel> {
    let parent = this.daemon;
    if (parent.isDisposed) {
      const above = this.ancestors().reverse().find((n): n is LevelNode => n instanceof LevelNode);
      if (above) parent = await above.reachLevel();
    }
    return this.ctx.service.registry.openLevel(parent, this.container.Id);
  }
}

/**
 * The children of any node that stands for a daemon: its containers, each a LevelNode when
 * listing data says it runs a daemon (no request per container), else a ContainerNode; with
 * dockerLevels.groupByComposeProject, compose projects as groups; then its Images, Volumes
 * and Networks (collapsed: listed only when expanded).
 */
export async function containerChildren(ctx: TreeContext, daemon: DaemonLevel, parent: TreeNode): Promise<TreeNode[]> {
  let list;
  try {
    list = await ctx.listContainers(daemon, ctx.service.current.showStoppedContainers);
  } catch (err) {
    const e = ctx.errors.log(err, daemon.what);
    return [new MessageNode(parent, e.message, { severity: 'error', detail: e.userMessage, retryTargetId: parent.id })];
  }
  ctx.watch(daemon, parent);
  const groups = [...contentGroups(ctx, parent, daemon), ...(ctx.suspectsOrphans(daemon) ? [new OrphanedLevelDataNode(ctx, parent, daemon)] : [])];
  // A lying level's entries of the wrong shape are left out; the level says so, its other rows stay.
  const leftOut = daemon.leftOut.length ? new MessageNode(parent, `Left out ${daemon.leftOut.length} listed container(s): not the Engine API's shape`, {
    severity: 'error', detail: `This daemon may not be what it claims. ${daemon.leftOut.slice(0, 5).join('; ')}`,
  }) : undefined;
  const note = leftOut ? [leftOut] : [];
  if (list.length === 0) return [leftOut ?? new MessageNode(parent, 'No containers', { severity: 'info' }), ...groups];
  if (!ctx.service.current.groupByComposeProject) return [...note, ...containerNodes(ctx, daemon, parent, list), ...groups];
  const { projects, ungrouped } = groupByComposeProject(list);
  return [
    ...note,
    ...containerNodes(ctx, daemon, parent, ungrouped),
    ...projects.map((p) => new ComposeProjectNode(ctx, parent, daemon, p.name, p.containers, containerNodes)),
    ...groups,
  ];
}

/** Container rows, levels first, then running, then by name: the tree is about the levels. */
function containerNodes(ctx: TreeContext, daemon: DaemonLevel, parent: TreeNode, list: readonly ContainerSummary[]): TreeNode[] {
  return toChildSpecs(daemon.id, list, ctx.notDaemons).map((spec) => (spec.isLevel
    ? new LevelNode(ctx, parent, daemon, spec.container)
    : new ContainerNode(ctx, parent, daemon, spec.container)));
}
