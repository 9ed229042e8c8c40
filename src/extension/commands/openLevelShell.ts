import { LevelNode } from '../tree/nodes/LevelNode';
import type { CommandSpec } from './commandContext';
import { containerArgument } from './nodeArguments';

/**
 * A shell in the dind container itself, where `docker` talks to that level's daemon:
 * the seed's interactive shell.
 */
export const openLevelShellCommand: CommandSpec = {
  id: 'docker-levels.openLevelShell',
  async run(ctx, arg) {
    const node = await containerArgument(ctx, arg, (n) => n instanceof LevelNode && n.isRunning, 'Open a shell in which level?');
    if (!node) return;
    return ctx.terminals.openExec(node.daemon, node.container.Id, `${node.name} (level shell)`);
  },
};
