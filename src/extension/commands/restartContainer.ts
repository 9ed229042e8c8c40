import { changeContainerState } from '../../core';
import type { CommandSpec } from './commandContext';
import { containerArgument } from './nodeArguments';
import { confirmCascade } from './cascadeWarning';

export const restartContainerCommand: CommandSpec = {
  id: 'docker-levels.restartContainer',
  async run(ctx, arg) {
    const node = await containerArgument(ctx, arg, (n) => n.isRunning, 'Restart which container?');
    if (!node) return;
    if (!(await confirmCascade(ctx, node, 'Restart'))) return;
    await changeContainerState(node.daemon, node.container.Id, 'restart');
    ctx.tree.refresh(node.parent);
  },
};
