import * as vscode from 'vscode';
import { classifyError, ContainerSummary, DaemonInfo, DaemonLevel, Logger } from '../../core';
import type { ErrorReporter } from '../errorReporting';
import type { LevelsService } from '../levelsService';
import { DaemonNode } from './nodes/DaemonNode';
import type { TreeNode } from './nodes/TreeNode';
import { RefreshController } from './refreshController';
import type { TreeContext } from './treeContext';

export const VIEW_ID = 'dockerLevels.levels';
/** Context key that shows the welcome view when no daemon answers. */
export const NO_DAEMON_KEY = 'dockerLevels.noDaemon';

/** The Levels view: root daemons, their containers and, recursively, nested levels. */
export class LevelsTreeProvider implements vscode.TreeDataProvider<TreeNode>, TreeContext, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly notDaemons = new Set<string>();
  readonly refreshController: RefreshController;
  /** The latest node instance per id, so commands and reveal() can find nodes. */
  private readonly nodes = new Map<string, TreeNode>();
  /** Ids of the children last returned per parent id ('' for the roots). */
  private readonly childIds = new Map<string, string[]>();
  /** One instance per id while it is shown (see TreeNode.adopt). */
  private readonly instances = new Map<string, TreeNode>();
  /** Fetches started, and the latest one applied, per node id: an older fetch that ends last must not overwrite a newer one. */
  private readonly fetches = new Map<string, number>();
  private readonly applied = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];
  private noDaemonShown = false;

  constructor(readonly service: LevelsService, readonly errors: ErrorReporter, log: Logger) {
    this.refreshController = new RefreshController((n) => this.refresh(n), (id) => this.service.registry.close(id), log);
    this.disposables.push(this.changed, this.refreshController, service.onDidChangeRoots(() => this.refresh()));
  }

  /** Wires view events: visibility starts and stops event streams; collapse stops a subtree's. */
  attach(view: vscode.TreeView<TreeNode>): void {
    this.refreshController.setVisible(view.visible);
    this.disposables.push(
      view.onDidChangeVisibility((e) => this.refreshController.setVisible(e.visible)),
      view.onDidCollapseElement((e) => this.refreshController.unwatchBelow(e.element.id)),
    );
  }

  watch(daemon: DaemonLevel, node: TreeNode): void {
    this.refreshController.watch(daemon, node);
  }

  listContainers(daemon: DaemonLevel, all: boolean): Promise<ContainerSummary[]> {
    return this.refreshController.listContainers(daemon, all);
  }

  /** Shows `node` (or everything) again as the daemons have it now: nothing kept is reused. */
  refresh(node?: TreeNode): void {
    this.refreshController.invalidate(node);
    if (!node) this.notDaemons.clear();
    this.changed.fire(node);
  }

  async getTreeItem(node: TreeNode): Promise<vscode.TreeItem> {
    if (node instanceof DaemonNode) await node.refreshInfo();
    return node.getTreeItem();
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    const key = node?.id ?? '';
    const fetch = (this.fetches.get(key) ?? 0) + 1;
    this.fetches.set(key, fetch);
    const fresh = node ? await node.getChildren() : await this.rootNodes();
    if ((this.applied.get(key) ?? 0) > fetch) {
      // A later fetch of the same node finished first: its data is newer, so it is not
      // overwritten; these children are answered with the instances it updated.
      return fresh.map((c) => this.instances.get(c.id) ?? c);
    }
    this.applied.set(key, fetch);
    const children = fresh.map((c) => this.canonical(c));
    // What was shown under this node before is gone or replaced (a removed container must
    // not stay pickable); expanded descendants are fetched again and so come back.
    this.dropInstancesGoneFrom(node, children);
    this.forgetBelow(key);
    for (const c of children) this.nodes.set(c.id, c);
    this.childIds.set(key, children.map((c) => c.id));
    return children;
  }

  /** The instance already handed out for this id, updated, or this one if it is the first. */
  private canonical(fresh: TreeNode): TreeNode {
    const known = this.instances.get(fresh.id);
    if (known && known.constructor === fresh.constructor) {
      known.adopt(fresh);
      return known;
    }
    this.instances.set(fresh.id, fresh);
    return fresh;
  }

  /**
   * Instances under `parent` that its new children no longer include, and everything below
   * them, are dropped: a removed container's node must not keep its closed level alive.
   */
  private dropInstancesGoneFrom(parent: TreeNode | undefined, children: readonly TreeNode[]): void {
    const shown = new Set(children);
    const gone = new Set<TreeNode>();
    for (const n of this.instances.values()) if (n.parent === parent && !shown.has(n)) gone.add(n);
    if (gone.size === 0) return;
    for (const [id, n] of [...this.instances]) {
      for (let p: TreeNode | undefined = n; p; p = p.parent) {
        if (gone.has(p)) {
          this.instances.delete(id);
          break;
        }
      }
    }
  }

  private forgetBelow(parentId: string): void {
    for (const id of this.childIds.get(parentId) ?? []) {
      this.nodes.delete(id);
      this.forgetBelow(id);
    }
    this.childIds.delete(parentId);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  /** Every node the tree has shown since the last full refresh. */
  shownNodes(): TreeNode[] {
    return [...this.nodes.values()];
  }

  /** The value last given to the dockerLevels.noDaemon context key (the welcome view); read by tests. */
  get noDaemon(): boolean {
    return this.noDaemonShown;
  }

  /** The node currently shown with this id, if any. */
  findNode(id: string): TreeNode | undefined {
    return this.nodes.get(id);
  }

  private async rootNodes(): Promise<TreeNode[]> {
    this.nodes.clear();
    this.childIds.clear();
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
    return none ? [] : roots;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
