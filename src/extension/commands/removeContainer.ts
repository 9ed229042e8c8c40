import { removeContainer } from '../../core';
import type { CommandSpec } from './commandContext';
import { changeEach } from './changeEach';
import { confirmCascade } from './cascadeWarning';
import { containerArguments } from './nodeArguments';

/** Remove containers (multi-select works); on levels, the warning counts the containers and levels that die with them. */
export const removeContainerCommand: CommandSpec = {
  id: 'docker-levels.removeContainer',
  async run(ctx, arg, selected) {
    const nodes = await containerArguments(ctx, arg, selected, () => true, 'Remove which container?');
    if (!nodes.length) return;
    if (!(await confirmCascade(ctx, nodes, 'Remove'))) return;
    await changeEach(ctx, nodes, 'Removing', (n) => removeContainer(ctx.service.registry, n.daemon, n.container.Id, { force: true }));
  },
};
