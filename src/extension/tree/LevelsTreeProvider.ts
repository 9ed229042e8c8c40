import * as vscode from 'vscode';
import { classifyError, ContainerSummary, DaemonInfo, DaemonLevel, LiveLevelContents, Logger } from '../../core';
import type { ErrorReporter } from '../errorReporting';
import type { PortForwards } from '../forwarding/portForwards';
import type { LevelsService } from '../levelsService';
import { DaemonNode } from './nodes/DaemonNode';
import { GroupNode, recheckNodes, TreeNode } from './nodes/TreeNode';
import { RefreshController } from './refreshController';
import { TreeFacts } from './treeFacts';
import type { TreeContext } from './treeContext';

export const VIEW_ID = 'dockerLevels.levels';
/** Context key that shows the welcome view when no daemon answers. */
export const NO_DAEMON_KEY = 'dockerLevels.noDaemon';

/** The invisible parent of the root daemons: it owns them like any node owns its children. */
class RootsNode extends TreeNode {
  readonly id = '';

  constructor(host: LevelsTreeProvider, private readonly load: () => Promise<TreeNode[]>) {
    super(undefined, host);
  }

  getTreeItem(): vscode.TreeItem {
    return new vscode.TreeItem('');
  }

  protected override loadChildren(): Promise<TreeNode[]> {
    return this.load();
  }

  /** The roots' reachability is asked again on every render, as the view asks. */
  protected override childrenHold(): boolean {
    return false;
  }

  protected update(): void {
    // Never replaced: there is one.
  }
}

/**
 * The Levels view: root daemons, their containers and, recursively, nested levels. Nodes own
 * their children (see TreeNode); the provider keeps the one map from id to shown node.
 */
export class LevelsTreeProvider implements vscode.TreeDataProvider<TreeNode>, TreeContext, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly notDaemons = new Set<string>();
  /** Set once in activate(): port rows show where their port is forwarded. */
  portForwards: PortForwards | undefined;
  readonly refreshController: RefreshController;
  /** Disk use, health and cost on the rows (see TreeFacts). */
  readonly facts: TreeFacts;
  /** Every node shown and not disposed, by id: for commands and reveal(). */
  private readonly nodes = new Map<string, TreeNode>();
  private readonly roots: RootsNode;
  private readonly disposables: vscode.Disposable[] = [];
  private noDaemonShown = false;

  constructor(readonly service: LevelsService, readonly errors: ErrorReporter, log: Logger) {
    this.refreshController = new RefreshController((n) => this.reload(n), (id) => this.service.registry.close(id), log);
    this.roots = new RootsNode(this, () => this.rootNodes());
    this.facts = new TreeFacts({ shownNodes: () => this.shownNodes(), openLevels: () => this.service.registry.openLevels() },
      () => this.service.current.showContainerCost);
    this.disposables.push(this.changed, this.refreshController, this.facts, service.onDidChangeRoots(() => this.refresh()));
  }

  /** Wires view events: visibility starts and stops event streams; collapse stops a subtree's. */
  attach(view: vscode.TreeView<TreeNode>): void {
    this.refreshController.setVisible(view.visible);
    this.facts.attach(view);
    this.disposables.push(
      view.onDidChangeVisibility((e) => this.refreshController.setVisible(e.visible)),
      view.onDidCollapseElement((e) => {
        if (e.element instanceof GroupNode) e.element.expanded = false;
        this.refreshController.unwatchBelow(e.element.id);
      }),
      view.onDidExpandElement((e) => { if (e.element instanceof GroupNode) e.element.expanded = true; }),
    );
  }

  watch(daemon: DaemonLevel, node: TreeNode): void {
    this.refreshController.watch(daemon, node);
  }

  isLive(daemon: DaemonLevel): boolean {
    return this.refreshController.isLive(daemon.id);
  }

  listContainers(daemon: DaemonLevel, all: boolean): Promise<ContainerSummary[]> {
    return this.refreshController.listContainers(daemon, all);
  }

  contentsOf(daemon: DaemonLevel): LiveLevelContents {
    return this.refreshController.contentsOf(daemon);
  }

  suspectsOrphans(daemon: DaemonLevel): boolean {
    return this.facts.suspectsOrphans(daemon);
  }

  /**
   * Shows `node` again as its daemon has it now (fetched first, then shown: see
   * TreeNode.reload), or with no node everything (every cache dropped). Ids and instances stay.
   */
  refresh(node?: TreeNode): Promise<void> {
    this.refreshController.invalidate(node);
    if (node && node !== this.roots && !node.isDisposed) return this.reload(node);
    this.notDaemons.clear();
    this.roots.refresh();
    return Promise.resolve();
  }

  /** What changed under `node`: fetched first, then shown (see TreeNode.reload); resolves when shown. */
  reload(node: TreeNode): Promise<void> {
    return node.reload().catch((err: unknown) => { this.errors.log(err, node.id); });
  }

  fireChanged(node: TreeNode): void {
    this.changed.fire(node === this.roots ? undefined : node);
  }

  added(node: TreeNode): void {
    this.nodes.set(node.id, node);
  }

  removed(node: TreeNode): void {
    if (this.nodes.get(node.id) === node) this.nodes.delete(node.id);
    this.refreshController.unwatchNode(node);
  }

  async getTreeItem(node: TreeNode): Promise<vscode.TreeItem> {
    if (node instanceof DaemonNode) await node.refreshInfo();
    const item = node.getTreeItem();
    this.facts.decorate(node, item);
    return item;
  }

  getChildren(node?: TreeNode): Promise<TreeNode[]> {
    return (node ?? this.roots).getChildren();
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent === this.roots ? undefined : node.parent;
  }

  /** Every node shown and not gone. */
  shownNodes(): TreeNode[] {
    return [...this.nodes.values()];
  }

  /** The value last given to the dockerLevels.noDaemon context key (the welcome view); read by tests. */
  get noDaemon(): boolean {
    return this.noDaemonShown;
  }

  /**
   * The nodes still there (see recheckNodes), for a palette pick: a collapsed level lists again
   * first. Its events stay unfollowed afterwards, as its collapse left them.
   */
  async recheck<T extends TreeNode>(nodes: readonly T[]): Promise<T[]> {
    const unfollowed = new Set(nodes.flatMap((n) => n.ancestors()).filter((a) => !this.refreshController.isWatching(a)));
    try {
      return await recheckNodes(nodes);
    } finally {
      for (const a of unfollowed) if (this.refreshController.isWatching(a)) this.refreshController.unwatchBelow(a.id);
    }
  }

  /** The node shown with this id, if any. */
  findNode(id: string): TreeNode | undefined {
    return this.nodes.get(id);
  }

  private async rootNodes(): Promise<TreeNode[]> {
    const roots = await Promise.all(this.service.roots().map(async (entry) => {
      if (!entry.level) return new DaemonNode(this, entry, undefined, entry.error?.message ?? 'Not configured');
      try {
        const info: DaemonInfo = await entry.level.info();
        return new DaemonNode(this, entry, info, undefined);
      } catch (err) {
        return new DaemonNode(this, entry, undefined, classifyError(err, entry.level.what).message);
      }
    }));
    const none = roots.every((r) => r.error);
    this.noDaemonShown = none;
    await vscode.commands.executeCommand('setContext', NO_DAEMON_KEY, none);
    // With nothing reachable the welcome view explains and offers Retry / Add Endpoint.
    if (none) for (const r of roots) r.dispose();
    return none ? [] : roots;
  }

  dispose(): void {
    this.roots.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
