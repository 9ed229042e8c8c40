import { followContainerLogs, inspectContainer } from '../../core';
import { LogsPseudoterminal } from '../terminal/LogsPseudoterminal';
import type { CommandSpec } from './commandContext';
import { containerArgument } from './nodeArguments';

export const viewLogsCommand: CommandSpec = {
  id: 'docker-levels.viewLogs',
  async run(ctx, arg) {
    const node = await containerArgument(ctx, arg, undefined, 'View the logs of which container?');
    if (!node) return;
    const tty = !!(await inspectContainer(node.daemon, node.container.Id)).Config.Tty;
    return ctx.terminals.openPty(new LogsPseudoterminal(node.daemon, (signal) => followContainerLogs(node.daemon, node.container.Id, tty, { signal })), `logs: ${node.name}`,
      node.daemon.isRoot ? node.daemon.root.label : `L${node.daemon.depth} ${node.daemon.path}`);
  },
};
