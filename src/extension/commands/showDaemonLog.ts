import * as vscode from 'vscode';
import { displayText, readContainerLog } from '../../core';
import { LevelNode } from '../tree/nodes/LevelNode';
import { MessageNode } from '../tree/nodes/MessageNode';
import type { CommandSpec } from './commandContext';
import { containerArgument } from './nodeArguments';

/** Show Daemon Log: the whole log of a dind container (its dockerd's stderr), read from its parent. */
export const showDaemonLogCommand: CommandSpec = {
  id: 'docker-levels.showDaemonLog',
  async run(ctx, arg) {
    // From a level's failure row: the level it failed to open.
    const from = arg instanceof MessageNode && arg.parent instanceof LevelNode ? arg.parent : arg;
    const node = await containerArgument(ctx, from, (n) => n instanceof LevelNode, 'Show the daemon log of which level?');
    if (!node) return;
    const log = await readContainerLog(node.daemon, node.container.Id, { signal: undefined });
    const head = log.truncated ? '(the start of this log is left out: it is longer than 1 MiB)\n' : '';
    const uri = ctx.inspectDocuments.put(`daemon log ${displayText(node.name, 80)}`, head + log.lines.join('\n'), 'log', { level: node.daemon, owner: node });
    await vscode.window.showTextDocument(uri, { preview: true });
    return uri;
  },
};
