import * as vscode from 'vscode';
import { displayText } from '../../core';
import { terminalName } from '../terminal/levelTerminals';
import type { CommandSpec } from './commandContext';
import { daemonArgument } from './nodeArguments';

/**
 * A normal shell on this machine whose DOCKER_HOST is the level's forwarder, so the user's own
 * docker CLI (compose, scripts…) talks to level N as if it were local.
 */
export const useLevelInTerminalCommand: CommandSpec = {
  id: 'docker-levels.useLevelInTerminal',
  async run(ctx, arg) {
    const target = await daemonArgument(ctx, arg, 'Use which level in a terminal?');
    if (!target) return;
    const forwarder = await ctx.forwarders.forward(target.daemon);
    const level = target.daemon;
    const terminal = vscode.window.createTerminal({
      name: level.isRoot ? displayText(`docker @ ${level.root.label}`) : terminalName('docker', level),
      iconPath: new vscode.ThemeIcon('plug'),
      // null unsets: a context or TLS variables from the user's shell must not win over DOCKER_HOST.
      env: { DOCKER_HOST: forwarder.dockerHost, DOCKER_CONTEXT: null, DOCKER_TLS_VERIFY: null, DOCKER_CERT_PATH: null },
      message: `DOCKER_HOST=${forwarder.dockerHost} → ${displayText(level.what)}`,
    } as vscode.TerminalOptions);
    terminal.show();
    return terminal;
  },
};
