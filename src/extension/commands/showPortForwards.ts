import * as vscode from 'vscode';
import { describePortForward } from '../../core';
import { openForwardInBrowser } from '../forwarding/portForwards';
import type { CommandSpec } from './commandContext';

/** Lists the port forwards; picking one offers to copy its address, open it, or stop it. */
export const showPortForwardsCommand: CommandSpec = {
  id: 'docker-levels.showPortForwards',
  async run(ctx) {
    const list = ctx.portForwards.list();
    if (list.length === 0) {
      void vscode.window.showInformationMessage('No port forwards run. Use "Forward Port…" on a container to start one.');
      return [];
    }
    const pick = await ctx.prompts.pick(list.map((f) => ({
      label: describePortForward(f), description: `${f.activeConnections} open, ${f.totalConnections} served`, forward: f,
    })), { placeHolder: 'Port forwards run by Docker Levels' });
    if (!pick) return list.map((f) => f.address);
    const action = await ctx.prompts.pick([{ label: 'Copy Address' }, { label: 'Open in Browser' }, { label: 'Stop' }], { placeHolder: pick.label });
    if (action?.label === 'Stop') await pick.forward.stop();
    if (action?.label === 'Open in Browser') await openForwardInBrowser(pick.forward);
    if (action?.label === 'Copy Address') await vscode.env.clipboard.writeText(pick.forward.address);
    return list.map((f) => f.address);
  },
};
