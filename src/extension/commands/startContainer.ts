import { changeContainerState } from '../../core';
import type { CommandSpec } from './commandContext';
import { containerArgument } from './nodeArguments';

export const startContainerCommand: CommandSpec = {
  id: 'docker-levels.startContainer',
  async run(ctx, arg) {
    const node = await containerArgument(ctx, arg, (n) => !n.isRunning, 'Start which container?');
    if (!node) return;

    await changeContainerState(node.daemon, node.container.Id, 'start');
    ctx.tree.refresh(node.parent);
  },
};
