import * as vscode from 'vscode';
import { displayText } from '../../core';
import { openForwardInBrowser } from '../forwarding/portForwards';
import type { CommandSpec } from './commandContext';
import { containerArgument } from './nodeArguments';
import { portArgument, portNodeTarget } from './portArgument';

/** Forward Port…: a container port at any depth on 127.0.0.1 of this machine. */
export const forwardPortCommand: CommandSpec = {
  id: 'docker-levels.forwardPort',
  async run(ctx, given, givenPort) {
    // A port row: its container and port.
    const { arg, portArg } = portNodeTarget(given, givenPort);
    const node = await containerArgument(ctx, arg, (n) => n.isRunning, 'Forward a port of which container?');
    if (!node) return;
    const spec = await portArgument(ctx, node, portArg, false);
    if (!spec) return;
    const forward = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Forwarding port ${spec.port} of ${displayText(node.name)}`, cancellable: true },
      (_p, token) => {
        const cancel = new AbortController();
        token.onCancellationRequested(() => cancel.abort());
        return ctx.portForwards.forward(node.daemon, node.container.Id, spec.port, spec.localPort, cancel.signal);
      });
    void vscode.window.showInformationMessage(`${displayText(forward.describe())} is on ${forward.address}.`, 'Open in Browser', 'Copy Address').then(async (choice) => {
      if (choice === 'Open in Browser') await openForwardInBrowser(forward);
      if (choice === 'Copy Address') await vscode.env.clipboard.writeText(forward.address);
    });
    return forward.address;
  },
};
