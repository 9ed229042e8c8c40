import * as vscode from 'vscode';
import { DaemonLevel, escapeMarkdown, formatBytes, orphanCandidates, StatsSampler } from '../../core';
import { costText, diskMarkdown, diskText, healthBadges, healthMarkdown, LevelFactsCache, NestedLevelRef, subtreeBytes } from '../levelFacts';
import { ContainerNode } from './nodes/ContainerNode';
import { DaemonNode } from './nodes/DaemonNode';
import { LevelNode } from './nodes/LevelNode';
import { GroupNode, TreeNode } from './nodes/TreeNode';

/** Disk use and health are read again on a render at most this often. */
const FACTS_MAX_AGE_MS = 60_000;
/** One stats read per visible running container this often, at most. */
const STATS_INTERVAL_MS = 5_000;
/** Rows shown change in bursts (an expand renders many): the watched set is worked out once per burst. */
const WATCH_DEBOUNCE_MS = 200;

/** What the facts need from the tree. */
export interface FactsTree {
  shownNodes(): TreeNode[];
  openLevels(): readonly DaemonLevel[];
}

/** The level a row stands for: a root daemon, or the nested daemon of a level row once opened. */
export function levelOfNode(node: TreeNode): DaemonLevel | undefined {
  if (node instanceof DaemonNode) return node.error ? undefined : node.entry.level;
  if (node instanceof LevelNode) return node.openLevel;
  return undefined;
}

/**
 * Disk use, health and cost on the rows of the Levels view. Disk use and health are read when
 * a level row is rendered (only shown rows are), kept for a minute, and the row is redrawn when
 * they arrive; nothing is read for a row nobody sees and no failure pops up (it is in the
 * tooltip). With dockerLevels.showContainerCost, running container rows whose parents are all
 * expanded are sampled every few seconds while the view is visible; hidden, collapsed or
 * switched off, the sampler watches nothing and makes no request.
 */
export class TreeFacts implements vscode.Disposable {
  readonly cache: LevelFactsCache;
  readonly sampler: StatsSampler;
  private readonly expansion = new Map<string, boolean>();
  private readonly disposables: vscode.Disposable[] = [];
  private visible = false;
  private watchTimer: NodeJS.Timeout | undefined;

  /** `showCost` reads dockerLevels.showContainerCost (a change re-renders the rows, which asks it again). */
  constructor(private readonly tree: FactsTree, private readonly showCost: () => boolean) {
    this.cache = new LevelFactsCache(FACTS_MAX_AGE_MS, (id) => this.factsRead(id));
    this.sampler = new StatsSampler(STATS_INTERVAL_MS, (key) => this.costRead(key));
  }

  attach(view: vscode.TreeView<TreeNode>): void {
    this.visible = view.visible;
    this.disposables.push(
      view.onDidChangeVisibility((e) => { this.visible = e.visible; this.scheduleWatch(); }),
      view.onDidExpandElement((e) => { this.expansion.set(e.element.id, true); this.scheduleWatch(); }),
      view.onDidCollapseElement((e) => { this.expansion.set(e.element.id, false); this.scheduleWatch(); }),
    );
  }

  /** Adds what is known of the row's level or container to its item; starts reads for what is not. */
  decorate(node: TreeNode, item: vscode.TreeItem): void {
    const level = levelOfNode(node);
    const parts: string[] = [];
    const md = item.tooltip instanceof vscode.MarkdownString ? item.tooltip : undefined;
    if (level) {
      const facts = this.cache.peek(level);
      if (facts?.disk) {
        const subtree = subtreeBytes(level.id, (id) => this.cache.known(id), (id) => this.nestedOf(id));
        parts.push(diskText(facts.disk, subtree));
        md?.appendMarkdown(`\n\n${diskMarkdown(facts.disk)}`);
        if (subtree !== null && subtree !== facts.disk.totalBytes) {
          md?.appendMarkdown(`\n\nWith the levels below it: ${formatBytes(subtree)} (levels not opened yet count as their storage here)`);
        }
      }
      if (facts?.health) {
        parts.push(...healthBadges(facts.health));
        md?.appendMarkdown(`\n\n${healthMarkdown(facts.health)}`);
      }
      if (facts?.error) md?.appendMarkdown(`\n\nDisk use and health not read: ${escapeMarkdown(facts.error, 400)}`);
    }
    if (node instanceof ContainerNode && node.isRunning) {
      const cost = this.showCost() ? this.sampler.cost(StatsSampler.key(node.daemon, node.container.Id)) : undefined;
      if (cost) {
        parts.push(costText(cost));
        if (node instanceof LevelNode) md?.appendMarkdown('\n\nCPU and memory are those of the dind container: everything nested in it included.');
      }
      this.scheduleWatch();
    }
    if (md) md.supportThemeIcons = true;
    if (parts.length) item.description = [item.description, ...parts].filter((p) => p !== undefined && p !== '' && p !== true).join(' · ');
  }

  /** Whether the daemon's last disk reading shows volumes that may be a removed level's data. */
  suspectsOrphans(level: DaemonLevel): boolean {
    const disk = this.cache.known(level.id)?.disk;
    return !!disk && orphanCandidates(disk.raw).length > 0;
  }

  /** The running containers whose rows are on screen, or none while hidden or switched off. */
  watchedContainers(): ContainerNode[] {
    if (!this.visible || !this.showCost()) return [];
    return this.tree.shownNodes().filter((n): n is ContainerNode => n instanceof ContainerNode && n.isRunning && !n.isDisposed && this.onScreen(n));
  }

  private onScreen(node: TreeNode): boolean {
    for (let p = node.parent; p && p.id !== ''; p = p.parent) if (!this.isExpanded(p)) return false;
    return true;
  }

  private isExpanded(node: TreeNode): boolean {
    return this.expansion.get(node.id) ?? (node instanceof DaemonNode || (node instanceof GroupNode && node.expanded));
  }

  private scheduleWatch(): void {
    if (this.watchTimer) return;
    this.watchTimer = setTimeout(() => {
      this.watchTimer = undefined;
      this.sampler.setWatched(this.watchedContainers().map((n) => ({ daemon: n.daemon, containerId: n.container.Id })));
    }, WATCH_DEBOUNCE_MS);
  }

  private nestedOf(levelId: string): NestedLevelRef[] {
    return this.tree.openLevels().filter((l) => l.parent?.id === levelId && !l.isDisposed && l.container)
      .map((l) => ({ levelId: l.id, containerId: l.container!.id }));
  }

  /** A level's facts arrived: its row and the rows above it (their subtree figures) are redrawn. */
  private factsRead(levelId: string): void {
    for (const node of this.tree.shownNodes()) {
      if (levelOfNode(node)?.id !== levelId) continue;
      const level = levelOfNode(node)!;
      // Orphaned level data appears or goes with the reading: the children are listed again.
      const showsOrphans = node.children.some((c) => c.id.endsWith('#orphaned'));
      if (node.children.length && showsOrphans !== this.suspectsOrphans(level)) void node.reload();
      else node.redraw();
      for (let p = node.parent; p; p = p.parent) if (levelOfNode(p)) p.redraw();
    }
  }

  private costRead(key: string): void {
    for (const node of this.tree.shownNodes()) {
      if (node instanceof ContainerNode && StatsSampler.key(node.daemon, node.container.Id) === key) node.redraw();
    }
  }

  dispose(): void {
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.sampler.dispose();
    this.cache.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
