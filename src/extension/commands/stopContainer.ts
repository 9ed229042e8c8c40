import { changeContainerState } from '../../core';
import type { CommandSpec } from './commandContext';
import { containerArgument } from './nodeArguments';
import { confirmCascade } from './cascadeWarning';

export const stopContainerCommand: CommandSpec = {
  id: 'docker-levels.stopContainer',
  async run(ctx, arg) {
    const node = await containerArgument(ctx, arg, (n) => n.isRunning, 'Stop which container?');
    if (!node) return;
    if (!(await confirmCascade(ctx, node, 'Stop'))) return;
    await changeContainerState(node.daemon, node.container.Id, 'stop');
    ctx.tree.refresh(node.parent);
  },
};
