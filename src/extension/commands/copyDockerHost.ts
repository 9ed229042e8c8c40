import * as vscode from 'vscode';
import { DaemonNode } from '../tree/nodes/DaemonNode';
import { LevelNode } from '../tree/nodes/LevelNode';
import type { CommandSpec } from './commandContext';
import { daemonArgument } from './nodeArguments';

/**
 * Copies a DOCKER_HOST value or a `docker -H …` line for any level: its plaintext TCP route
 * where it has one, else its local forwarder (a tunnelled level, or a TLS level whose client
 * keys stay in memory and so cannot be handed to another tool).
 */
export const copyDockerHostCommand: CommandSpec = {
  id: 'docker-levels.copyDockerHost',
  async run(ctx, arg) {
    const target = await daemonArgument(ctx, arg instanceof LevelNode || arg instanceof DaemonNode ? arg : undefined, 'Copy the address of which level?');
    if (!target) return;
    const route = target.daemon.transport.tcpRoute;
    const host = route?.startsWith('tcp://') ? route : (await ctx.forwarders.forward(target.daemon)).dockerHost;
    const pick = await ctx.prompts.pick([
      { label: `export DOCKER_HOST=${host}`, value: `export DOCKER_HOST=${host}` },
      { label: `docker -H ${host} ps`, value: `docker -H ${host} ps` },
      { label: host, value: host },
    ], { placeHolder: route?.startsWith('tcp://') ? `Address of ${target.label}` : `Local endpoint of ${target.label}, served by Docker Levels while VS Code runs` });
    if (!pick) return;
    await vscode.env.clipboard.writeText(pick.value);
    vscode.window.setStatusBarMessage(`Copied: ${pick.value}`, 4000);
    return pick.value;
  },
};
