import * as vscode from 'vscode';
import { displayText } from '../../core';
import type { CommandSpec } from './commandContext';

/** Lists the running level endpoints (forwarders); picking one offers to copy or stop it. */
export const showForwardersCommand: CommandSpec = {
  id: 'docker-levels.showForwarders',
  async run(ctx) {
    const list = ctx.forwarders.list();
    if (list.length === 0) {
      void vscode.window.showInformationMessage('No level endpoints run. Use "Use Level in Terminal" on a level to start one.');
      return;
    }
    const pick = await ctx.prompts.pick(list.map((f) => ({
      label: displayText(f.target.what), description: f.dockerHost, detail: `${f.activeConnections} open, ${f.totalConnections} served since ${f.startedAt.toLocaleTimeString()}`, forwarder: f,
    })), { placeHolder: 'Level endpoints run by Docker Levels' });
    if (!pick) return;
    const action = await ctx.prompts.pick([{ label: 'Copy DOCKER_HOST' }, { label: 'Stop' }], { placeHolder: pick.label });
    if (action?.label === 'Stop') await pick.forwarder.stop();
    if (action?.label === 'Copy DOCKER_HOST') await vscode.env.clipboard.writeText(`export DOCKER_HOST=${pick.forwarder.dockerHost}`);
  },
};
