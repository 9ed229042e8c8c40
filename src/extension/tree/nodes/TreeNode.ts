import type * as vscode from 'vscode';

// No runtime import of vscode here: the caching and identity logic is unit-tested in plain mocha.

export interface Disposable {
  dispose(): void;
}

/** What nodes need from the view that shows them: the provider, or a fake in unit tests. */
export interface NodeHost {
  /** Tells the view to ask this node for its item and children again. */
  fireChanged(node: TreeNode): void;
  /** A node is shown from now on: the one id → node map learns it. */
  added(node: TreeNode): void;
  /** A node was disposed: forget it and stop what watched for it (its event streams). */
  removed(node: TreeNode): void;
}

/**
 * One row of the Levels tree. A node owns and caches its children and disposes the ones it
 * replaces (after GitLens' CacheableChildrenViewNode and the PR extension's TreeNode).
 *
 * - Identity: a fetch makes new instances; a child whose id and kind were shown already is
 *   kept and takes the new data (update), so the instance VS Code holds stays valid for
 *   refreshes, reveal() and commands. A child no longer listed, or now of another kind, is
 *   disposed with its subtree, its event streams and whatever it owns (panels).
 * - Refresh goes through the node: refresh() drops the cache of it and its subtree and tells
 *   the view; reload() fetches first and tells the view after (for events: no row is ever
 *   unknown to VS Code under a click); redraw() only redraws the row (the cache answers).
 * - Races: a fetch started before a newer one that finished first is dropped (never
 *   overwrites newer children) and answers with the newer instances; concurrent asks for the
 *   children join the fetch in flight.
 *
 * Adding a node kind: subclass TreeNode (or GroupNode for "a folder that lists items when
 * expanded", e.g. Images or Volumes), give it a stable `id` built with core/levels/ids.ts
 * helpers from its parent's id, implement getTreeItem() (set item.id = this.id and a
 * contextValue from contextValues.ts), loadChildren() if it has children (return new
 * instances with `this` as parent; a failure is a MessageNode child, never a toast), and
 * update(fresh) copying the fields a refresh can change. Override childrenHold() when cached
 * children may go stale without a refresh, and own() anything that must end with the node.
 */
export abstract class TreeNode implements Disposable {
  /** Stable across refreshes, so expansion and reveal() survive them. */
  abstract readonly id: string;
  readonly host: NodeHost;
  private cache: TreeNode[] | undefined;
  private stale = true;
  /** Set by redraw(): the next ask answers from the cache even if childrenHold() says no. */
  private redrawOnly = false;
  private inFlight: Promise<TreeNode[]> | undefined;
  private started = 0;
  private applied = 0;
  private readonly owned = new Set<Disposable>();
  private disposed = false;

  /** Roots pass the host; every other node reaches it through its parent. */
  constructor(readonly parent: TreeNode | undefined, host?: NodeHost) {
    const h = host ?? parent?.host;
    if (!h) throw new Error('a tree node needs a parent or a host');
    this.host = h;
  }

  abstract getTreeItem(): vscode.TreeItem;

  /** New instances of this node's children, fetched now. Leaves have none. */
  protected loadChildren(): Promise<TreeNode[]> {
    return Promise.resolve([]);
  }

  /** Takes the data of a newer instance with the same id and kind (which is then dropped). */
  protected abstract update(fresh: this): void;

  /** Whether children fetched earlier are still true without a refresh (default: until refresh()). */
  protected childrenHold(): boolean {
    return true;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The children last fetched (none before the first fetch). */
  get children(): readonly TreeNode[] {
    return this.cache ?? [];
  }

  /** Whether the children last fetched are known current (kept so by events, or never stale). */
  get childrenCurrent(): boolean {
    return !!this.cache && !this.stale && this.childrenHold();
  }

  /** The nodes above this one, from the top, without the view's invisible root. */
  ancestors(): TreeNode[] {
    const up: TreeNode[] = [];
    for (let p = this.parent; p?.parent; p = p.parent) up.unshift(p);
    return up;
  }

  getChildren(): Promise<TreeNode[]> {
    if (this.disposed) return Promise.resolve([]);
    const redraw = this.redrawOnly;
    this.redrawOnly = false;
    if (this.cache && !this.stale && (redraw || this.childrenHold())) return Promise.resolve(this.cache);
    if (this.inFlight) return this.inFlight;
    this.stale = false;
    const fetch = this.fetch(++this.started);
    this.inFlight = fetch;
    const clear = () => { if (this.inFlight === fetch) this.inFlight = undefined; };
    fetch.then(clear, clear);
    return fetch;
  }

  /** The data changed: fetch this node's children (and those below, once asked) again. */
  refresh(): void {
    this.invalidate();
    this.host.fireChanged(this);
  }

  /**
   * Something below may have changed (an event): the children are fetched first, and only
   * then is the view told, so its ask is answered from the cache at once. VS Code forgets a
   * refreshed node's rows while it awaits their children, and a click in that window lost
   * its node (the command asked in a picker, an expand missed); here the window is empty.
   */
  async reload(): Promise<void> {
    if (this.disposed) return;
    this.stale = true;
    this.inFlight = undefined;
    await this.getChildren();
    if (!this.disposed) this.redraw();
  }

  /** Only this row changed (its label or description): the children are answered from the cache. */
  redraw(): void {
    this.redrawOnly = true;
    this.host.fireChanged(this);
  }

  /** The cached children of this node and all below it no longer hold; nothing is fired. */
  invalidate(): void {
    this.stale = true;
    this.redrawOnly = false;
    this.inFlight = undefined;
    for (const c of this.cache ?? []) c.invalidate();
  }

  /** `d` ends with this node (at once if it has ended). Dispose the returned handle to end it sooner. */
  own(d: Disposable): Disposable {
    if (this.disposed) {
      d.dispose();
      return { dispose: () => undefined };
    }
    this.owned.add(d);
    return { dispose: () => { if (this.owned.delete(d)) d.dispose(); } };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.inFlight = undefined;
    const children = this.cache ?? [];
    this.cache = undefined;
    for (const c of children) c.dispose();
    const owned = [...this.owned];
    this.owned.clear();
    for (const d of owned) d.dispose();
    this.host.removed(this);
  }

  /** Drops a fresh instance that was never shown (nothing registered it, it owns nothing). */
  private discard(): void {
    this.disposed = true;
  }

  private async fetch(generation: number): Promise<TreeNode[]> {
    const fresh = await this.loadChildren();
    if (this.disposed || generation < this.applied) {
      // Gone meanwhile, or a fetch started later finished first: its children are newer.
      for (const f of fresh) f.discard();
      return this.disposed ? [] : this.cache ?? [];
    }
    this.applied = generation;
    this.cache = this.reconcile(fresh);
    return this.cache;
  }

  private reconcile(fresh: readonly TreeNode[]): TreeNode[] {
    const before = new Map((this.cache ?? []).map((c) => [c.id, c]));
    const next = fresh.map((f) => {
      const known = before.get(f.id);
      if (known && known.constructor === f.constructor) {
        before.delete(f.id);
        known.update(f);
        f.discard();
        return known;
      }
      this.host.added(f);
      return f;
    });
    // Not listed any more, or shown as another kind now: gone with everything below.
    for (const gone of before.values()) gone.dispose();
    return next;
  }
}

/**
 * A folder row that lists its items only when expanded (Images, Volumes, Networks, a compose
 * project, ...): subclasses say how to list, the base caches like any node.
 */
export abstract class GroupNode extends TreeNode {
  /** Whether the view shows it expanded (set by the provider from the view's events). */
  expanded = false;

  constructor(parent: TreeNode, readonly id: string, readonly label: string) {
    super(parent);
  }

  protected abstract listItems(): Promise<TreeNode[]>;

  protected override loadChildren(): Promise<TreeNode[]> {
    return this.listItems();
  }

  protected update(_fresh: this): void {
    // A group's id and label do not change; its items are fetched again on refresh.
  }
}

/**
 * The nodes of `nodes` that are still there. A node stays in the id map until its parent lists
 * again, and a collapsed level follows no events: what it showed may be gone. Every ancestor
 * whose children are not known current lists again first (once, from the top), which disposes
 * the nodes no longer listed.
 */
export async function recheckNodes<T extends TreeNode>(nodes: readonly T[]): Promise<T[]> {
  const listed = new Set<TreeNode>();
  for (const node of nodes) {
    for (const above of node.ancestors()) {
      if (above.isDisposed) break;
      if (listed.has(above) || above.childrenCurrent) continue;
      listed.add(above);
      await above.reload();
    }
  }
  return nodes.filter((n) => !n.isDisposed);
}
