import { removeContainer } from '../../core';
import type { CommandSpec } from './commandContext';
import { confirmCascade } from './cascadeWarning';
import { containerArgument } from './nodeArguments';

/** Remove a container; on a level, the warning counts the containers and levels that die with it. */
export const removeContainerCommand: CommandSpec = {
  id: 'docker-levels.removeContainer',
  async run(ctx, arg) {
    const node = await containerArgument(ctx, arg, undefined, 'Remove which container?');
    if (!node) return;
    if (!(await confirmCascade(ctx, node, 'Remove'))) return;
    await removeContainer(ctx.service.registry, node.daemon, node.container.Id, { force: true });
    ctx.tree.refresh(node.parent);
  },
};
