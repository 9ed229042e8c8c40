import * as vscode from 'vscode';
import { describePortForward, PortForward } from '../../core';
import { PortNode } from '../tree/nodes/PortNodes';
import type { CommandSpec } from './commandContext';

/** Stop Port Forward: the forwards of a port row, or one picked from those that run. */
export const stopPortForwardCommand: CommandSpec = {
  id: 'docker-levels.stopPortForward',
  async run(ctx, arg) {
    let forwards: PortForward[];
    if (arg instanceof PortNode) {
      forwards = arg.forwards();
    } else {
      const list = ctx.portForwards.list();
      if (list.length === 0) {
        void vscode.window.showInformationMessage('No port forwards run.');
        return [];
      }
      const pick = await ctx.prompts.pick(list.map((f) => ({ label: describePortForward(f), description: `${f.activeConnections} open`, forward: f })),
        { placeHolder: 'Stop which port forward?' });
      forwards = pick ? [pick.forward] : [];
    }
    await Promise.all(forwards.map((f) => f.stop()));
    return forwards.map((f) => f.address);
  },
};
