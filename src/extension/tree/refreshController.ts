import * as vscode from 'vscode';
import {
  changesListing, childLevelId, ContainerEvent, ContainerSummary, DaemonLevel, Disposable, isAtOrBelowLevel, Listeners, LiveContainerList,
  LiveLevelContents, Logger,
} from '../../core';
import type { TreeNode } from './nodes/TreeNode';

interface Watched {
  daemon: DaemonLevel;
  /** The node that shows this daemon's containers; its disposal ends the watch. */
  node: TreeNode;
  /** The daemon's event stream and the container list it keeps current; only while visible. */
  live?: LiveContainerList;
  /** Its images, volumes and networks, fed by the same stream; only while it is up. */
  contents?: LiveLevelContents;
  timer?: NodeJS.Timeout;
}

const DEBOUNCE_MS = 300;
/** Events after which a container can no longer be a reachable level. */
const GONE = new Set(['die', 'destroy', 'kill', 'stop', 'pause', 'oom']);

/**
 * Live refresh: one event subscription per daemon whose containers are on screen, only while
 * the view is visible. Bursts are merged per daemon and only that subtree is refreshed.
 * No polling: an idle tree makes no requests beyond the open event streams. The streams also
 * keep each watched daemon's container list, so refreshing a level does not list again every
 * expanded level below it (each one a tunnel round trip at depth 3) unless it changed.
 */
export class RefreshController implements vscode.Disposable {
  private readonly watched = new Map<string, Watched>();
  private visible = false;
  /** Refreshes this controller started that have not finished. */
  private running = 0;
  private wasSettled = true;
  private readonly settledListeners = new Listeners<void>();

  constructor(
    /** Shows a node again; the promise, if any, ends when it is shown. */
    private readonly refresh: (node: TreeNode) => Promise<void> | void,
    private readonly closeLevel: (levelId: string) => void,
    private readonly log: Logger,
  ) {}

  watch(daemon: DaemonLevel, node: TreeNode): void {
    const existing = this.watched.get(daemon.id);
    if (existing && existing.daemon === daemon) {
      existing.node = node;
      return;
    }
    if (existing) this.stop(existing);
    const w: Watched = { daemon, node };
    this.watched.set(daemon.id, w);
    if (this.visible) this.subscribe(w);
    this.checkSettled();
  }

  /** A node collapsed: stop watching the daemons it and its descendants show. */
  unwatchBelow(nodeId: string): void {
    for (const [id, w] of [...this.watched]) {
      if (w.node.id === nodeId || isBelow(w.node, nodeId)) {
        this.stop(w);
        this.watched.delete(id);
      }
    }
    this.checkSettled();
  }

  /** Whether the events of a daemon `node` shows are followed. */
  isWatching(node: TreeNode): boolean {
    return [...this.watched.values()].some((w) => w.node === node);
  }

  /** A node was disposed: the daemons it showed are not followed for it any more. */
  unwatchNode(node: TreeNode): void {
    for (const [id, w] of [...this.watched]) if (w.node === node) this.forget(id, w);
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    for (const w of this.watched.values()) {
      if (visible) {
        this.subscribe(w);
        // Events were not followed while hidden.
        this.run(w.node);
      } else {
        this.stop(w);
      }
    }
    this.checkSettled();
  }

  /**
   * Quiet: no refresh waiting for its debounce or in flight, and (while visible) every watched
   * daemon's stream live, so nothing is fetched until the next event. A daemon that does not
   * answer keeps it unsettled (its stream keeps reconnecting): callers bound their wait.
   */
  get isSettled(): boolean {
    return this.unsettled().length === 0;
  }

  /** What keeps it from being settled, in words (for a test's failure message). */
  unsettled(): string[] {
    const why = this.running > 0 ? [`${this.running} refresh(es) in flight`] : [];
    for (const w of this.watched.values()) {
      if (w.timer) why.push(`${w.daemon.label}: a refresh waits`);
      if (this.visible && !w.live?.isLive) why.push(`${w.daemon.label}: its events are not live`);
    }
    return why;
  }

  /** Fires each time the controller becomes settled (see isSettled). */
  onDidSettle(listener: () => void): Disposable {
    return this.settledListeners.add(listener);
  }

  /** Resolves at once when settled, else the next time it becomes settled. */
  whenSettled(): Promise<void> {
    if (this.isSettled) return Promise.resolve();
    return new Promise((resolve) => {
      const sub = this.onDidSettle(() => { sub.dispose(); resolve(); });
    });
  }

  /** Number of open event streams, for the idle-cost benchmark and leak checks. */
  get activeSubscriptions(): number {
    return [...this.watched.values()].filter((w) => w.live).length;
  }

  /** Whether a watched daemon's list is kept live right now (its stream is up). */
  isLive(daemonId: string): boolean {
    return this.watched.get(daemonId)?.live?.isLive ?? false;
  }

  /** A daemon's containers: from its live list when it is watched, else asked for. */
  listContainers(daemon: DaemonLevel, all: boolean): Promise<ContainerSummary[]> {
    const w = this.watched.get(daemon.id);
    return w?.daemon === daemon && w.live ? w.live.list(all) : daemon.listContainers(all);
  }

  /**
   * A daemon's images, volumes and networks: kept current by its event stream while it is
   * watched and visible; else a fresh source that lists on every ask.
   */
  contentsOf(daemon: DaemonLevel): LiveLevelContents {
    const w = this.watched.get(daemon.id);
    return w?.daemon === daemon && w.contents ? w.contents : new LiveLevelContents(daemon);
  }

  /** The next listing of the daemon(s) a node shows asks the daemon again; no node: all of them. */
  invalidate(node?: TreeNode): void {
    for (const w of this.watched.values()) if (!node || w.node.id === node.id) w.live?.invalidate();
  }

  private subscribe(w: Watched): void {
    if (w.live) return;
    const contents = new LiveLevelContents(w.daemon);
    w.contents = contents;
    w.live = new LiveContainerList(w.daemon, {
      log: this.log,
      onObjectEvent: (e) => contents.objectEvent(e),
      onEvent: (e) => {
        contents.containerEvent(e);
        this.onEvent(w, e);
      },
      onState: (state, error) => {
        contents.streamState(state);
        if (state === 'closed' && w.daemon.isDisposed) {
          // The level was closed (its container went away or was replaced): nothing to follow.
          this.forget(w.daemon.id, w);
        } else if (state === 'reconnecting') {
          this.log.debug(`events of ${w.daemon.label} dropped (${error}); refreshing`);
          this.schedule(w);
        } else if (state === 'live') {
          // A reconnect may have missed changes.
          this.schedule(w);
        }
        this.checkSettled();
      },
    });
  }

  private onEvent(w: Watched, e: ContainerEvent): void {
    if (GONE.has(e.action)) {
      const gone = childLevelId(w.daemon.id, e.containerId);
      this.closeLevel(gone);
      // Its daemon and those below it are closed: their streams must not reconnect forever.
      for (const [id, below] of [...this.watched]) {
        if (isAtOrBelowLevel(id, gone)) this.forget(id, below);
      }
    }
    if (changesListing(e.action)) this.schedule(w);
  }

  private schedule(w: Watched): void {
    if (w.timer) clearTimeout(w.timer);
    w.timer = setTimeout(() => {
      w.timer = undefined;
      this.run(w.node);
    }, DEBOUNCE_MS);
    this.checkSettled();
  }

  /** A refresh, counted until it ends (for isSettled). */
  private run(node: TreeNode): void {
    this.running++;
    const done = (): void => {
      this.running--;
      this.checkSettled();
    };
    try {
      Promise.resolve(this.refresh(node)).then(done, done);
    } catch (err) {
      done();
      throw err;
    }
  }

  /** Tells the listeners when the controller has just become settled. */
  private checkSettled(): void {
    const settled = this.isSettled;
    if (settled && !this.wasSettled) this.settledListeners.fire();
    this.wasSettled = settled;
  }

  private forget(id: string, w: Watched): void {
    this.stop(w);
    if (this.watched.get(id) === w) this.watched.delete(id);
    this.checkSettled();
  }

  private stop(w: Watched): void {
    if (w.timer) clearTimeout(w.timer);
    w.timer = undefined;
    // Cleared first: disposing reports 'closed', which may lead back here.
    const live = w.live;
    w.live = undefined;
    live?.dispose();
    w.contents?.dispose();
    w.contents = undefined;
  }

  dispose(): void {
    for (const w of this.watched.values()) this.stop(w);
    this.watched.clear();
    this.settledListeners.clear();
  }
}

function isBelow(node: TreeNode, ancestorId: string): boolean {
  for (let p = node.parent; p; p = p.parent) if (p.id === ancestorId) return true;
  return false;
}
