import type { CommandSpec } from './commandContext';
import { containerArgument } from './nodeArguments';

/** An integrated terminal in any running container at any depth. */
export const openTerminalCommand: CommandSpec = {
  id: 'docker-levels.openTerminal',
  async run(ctx, arg) {
    const node = await containerArgument(ctx, arg, (n) => n.isRunning, 'Open a terminal in which container?');
    if (!node) return;
    return ctx.terminals.openExec(node.daemon, node.container.Id, node.name);
  },
};
