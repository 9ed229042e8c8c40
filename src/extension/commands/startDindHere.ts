import * as vscode from 'vscode';
import { containerNodeId, displayText, isRootLevelId, rootIdOfLevel, rootNodeId, startLevel } from '../../core';
import { SECTION } from '../settings';
import { VIEW_ID } from '../tree/LevelsTreeProvider';
import { LevelNode } from '../tree/nodes/LevelNode';
import type { CommandSpec } from './commandContext';
import { daemonArgument } from './nodeArguments';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Start DinD here: a new nested level on a root daemon or level, revealed when its daemon answers. */
export const startDindHereCommand: CommandSpec = {
  id: 'docker-levels.startDindHere',
  async run(ctx, arg) {
    const target = await daemonArgument(ctx, arg, 'Start a new nested level on which daemon?');
    if (!target) return;
    const settings = ctx.service.current;
    const image = await ctx.prompts.input({
      title: `Start DinD on ${target.label}`, prompt: 'Docker-in-Docker image', value: settings.dindImage,
      validateInput: (v) => (!v.trim() ? 'Enter an image, e.g. docker:dind' : /\s/.test(v.trim()) ? 'An image reference has no spaces' : undefined),
    });
    if (image === undefined) return;
    const name = await ctx.prompts.input({
      title: `Start DinD on ${target.label}`, prompt: 'Container name (optional)', placeHolder: 'leave empty for a generated name',
      validateInput: (v) => (v && !NAME.test(v) ? 'Letters, digits, _ . - and not starting with a symbol' : undefined),
    });
    if (name === undefined) return;
    if (settings.confirmPrivileged) {
      const choice = await ctx.prompts.confirm(`Start a privileged container on ${target.label}?`,
        'Docker-in-Docker needs a privileged container, and a privileged container can take over the host it runs on. Only run images you trust.',
        'Start', "Start and Don't Ask Again");
      if (!choice) return;
      if (choice !== 'Start') await vscode.workspace.getConfiguration(SECTION).update('confirmPrivileged', false, vscode.ConfigurationTarget.Global);
    }
    const started = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, title: `Starting DinD on ${target.label}`, cancellable: true,
    }, (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      return startLevel(ctx.service.registry, target.daemon, {
        image: image.trim(), name: name || undefined, publish: settings.publishNestedPort, signal: controller.signal,
        onProgress: (message) => progress.report({ message }),
      }).finally(() => sub.dispose());
    });
    ctx.log.info(`level ${started.level.path} ready in ${started.readyMs} ms (${started.mode}, ${started.privilege}, ${started.level.transport.kind})`);
    if (started.privilege === 'capabilities') {
      void vscode.window.showInformationMessage(`${displayText(started.name)} runs with an equivalent capability set: this host refuses --privileged.`);
    }
    await revealLevel(ctx, target.daemon.id, started.containerId);
  },
};

/**
 * Reveals the new level's node, expanded, through the node that shows its daemon: that node
 * lists again (its live listing dropped) and only then tells the view (TreeNode.reload), so
 * the new node is in the id map and the view's ask answers from the cache: one awaited reveal.
 * The level is running either way, so a failure here is logged, not shown.
 */
async function revealLevel(ctx: Parameters<CommandSpec['run']>[0], daemonId: string, containerId: string): Promise<void> {
  const id = containerNodeId(daemonId, containerId);
  await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  const owner = ctx.tree.shownNodes().find((n) => (isRootLevelId(daemonId) && n.id === rootNodeId(rootIdOfLevel(daemonId))) || (n instanceof LevelNode && n.levelId === daemonId));
  if (!owner) {
    ctx.log.info(`the new level ${id} is not revealed: its daemon is not shown in the tree`);
    return;
  }
  await ctx.tree.refresh(owner);
  const node = ctx.tree.findNode(id);
  if (!node) {
    ctx.log.warn(`the new level ${id} is not among the containers ${owner.id} lists`);
    return;
  }
  try {
    await ctx.view.reveal(node, { expand: true, select: true, focus: false });
  } catch (err) {
    ctx.log.warn(`the new level ${id} could not be revealed in the tree: ${(err as Error).message}`);
  }
}
