import * as vscode from 'vscode';
import { displayText, preferredWebPort, readContainerPorts } from '../../core';
import { openForwardInBrowser } from '../forwarding/portForwards';
import type { CommandSpec } from './commandContext';
import { containerArgument } from './nodeArguments';
import { portArgument, portNodeTarget } from './portArgument';

/** Open in Browser: forwards a web port (a common one first), then opens it through asExternalUri. */
export const openInBrowserCommand: CommandSpec = {
  id: 'docker-levels.openInBrowser',
  async run(ctx, given, givenPort) {
    // A port row: its container and port.
    const { arg, portArg } = portNodeTarget(given, givenPort);
    const node = await containerArgument(ctx, arg, (n) => n.isRunning, 'Open which container in the browser?');
    if (!node) return;
    const web = portArg === undefined ? preferredWebPort(await readContainerPorts(node.daemon, node.container.Id)) : undefined;
    const spec = web !== undefined ? { port: web, localPort: undefined } : await portArgument(ctx, node, portArg, true);
    if (!spec) return;
    const forward = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Opening port ${spec.port} of ${displayText(node.name)}`, cancellable: true },
      (_p, token) => {
        const cancel = new AbortController();
        token.onCancellationRequested(() => cancel.abort());
        return ctx.portForwards.forward(node.daemon, node.container.Id, spec.port, spec.localPort, cancel.signal);
      });
    const uri = await openForwardInBrowser(forward);
    return uri.toString();
  },
};
