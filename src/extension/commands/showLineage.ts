import type { CommandSpec } from './commandContext';
import { containerArgument } from './nodeArguments';

export const showLineageCommand: CommandSpec = {
  id: 'docker-levels.showLineage',
  async run(ctx, arg) {
    const node = await containerArgument(ctx, arg, (n) => n.isRunning, 'Show the ID lineage of which container?');
    if (!node) return;
    return ctx.lineagePanels.show(node.daemon, node.container.Id, node.name, node);
  },
};
