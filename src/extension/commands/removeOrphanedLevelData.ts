import * as vscode from 'vscode';
import { DaemonLevel, displayText, findOrphanedLevelData, formatBytes, OrphanedLevelVolume, removeOrphanedLevelVolumes } from '../../core';
import type { OrphanTarget } from '../tree/contentTargets';
import type { TreeNode } from '../tree/nodes/TreeNode';
import type { CommandContext, CommandSpec } from './commandContext';
import { daemonArgument } from './nodeArguments';

const orphanTargetOf = (x: unknown): OrphanTarget | undefined =>
  (typeof x === 'object' && x !== null ? (x as { orphanTarget?: OrphanTarget }).orphanTarget : undefined);

/**
 * Remove Orphaned Level Data…: the /var/lib/docker volumes removed dind containers left on a
 * daemon, listed with their sizes, removed after asking. From an "Orphaned Level Data" row it
 * asks about that one volume; from the group, about the ones found there.
 */
export const removeOrphanedLevelDataCommand: CommandSpec = {
  id: 'docker-levels.removeOrphanedLevelData',
  async run(ctx, arg) {
    const fromTree = orphanTargetOf(arg);
    const target = fromTree ?? await daemonArgument(ctx, arg, 'Look for orphaned level data on which daemon or level?');
    if (!target) return;
    const label = displayText(target.label || 'the root daemon');
    const size = (list: readonly OrphanedLevelVolume[]) => formatBytes(list.reduce((n, o) => n + o.bytes, 0));
    let chosen: readonly OrphanedLevelVolume[];
    if (fromTree?.volume) {
      chosen = [fromTree.volume];
    } else {
      const found = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Looking for orphaned level data on ${label}…` },
        () => findOrphanedLevelData(target.daemon));
      if (!found.length) {
        void vscode.window.showInformationMessage(`No orphaned level data on ${label}.`);
        afterChange(ctx, target.daemon, fromTree?.node);
        return { removed: [], failed: [] };
      }
      const pick = await ctx.prompts.pick([
        ...(found.length > 1 ? [{ label: `All ${found.length} volumes`, description: size(found), volumes: found }] : []),
        ...found.map((o) => ({ label: o.name.slice(0, 12), description: `${formatBytes(o.bytes)} · holds ${o.found.join(', ')}`, detail: o.name, volumes: [o] })),
      ], { placeHolder: `Orphaned level data on ${label}: volumes that were a removed dind container's /var/lib/docker` });
      if (!pick) return undefined;
      chosen = pick.volumes;
    }
    const choice = await ctx.prompts.confirm(`Remove ${chosen.length} orphaned level volume${chosen.length === 1 ? '' : 's'} on ${label} (${size(chosen)})?`,
      `${chosen.map((o) => `${o.name.slice(0, 12)} ${formatBytes(o.bytes)}`).join(', ')}: everything those levels held is lost.`, 'Remove');
    if (choice !== 'Remove') return undefined;
    const result = await removeOrphanedLevelVolumes(target.daemon, chosen.map((o) => o.name));
    for (const f of result.failed) ctx.log.warn(`orphaned level data ${f.name} on ${target.daemon.what} kept: ${f.reason}`);
    void vscode.window.showInformationMessage(`Removed ${result.removed.length} of ${chosen.length} orphaned level volumes on ${label}.`);
    afterChange(ctx, target.daemon, fromTree?.node);
    return result;
  },
};

/** The group lists again, and the level's disk reading too (the group goes when nothing is left to look into). */
function afterChange(ctx: CommandContext, daemon: DaemonLevel, node: TreeNode | undefined): void {
  const group = node && node.id.endsWith('#orphaned') ? node : node?.parent;
  if (group && !group.isDisposed) void ctx.tree.refresh(group);
  void ctx.tree.facts.cache.read(daemon);
}
