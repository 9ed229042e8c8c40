import { changeContainerState } from '../../core';
import type { CommandSpec } from './commandContext';
import { changeEach } from './changeEach';
import { containerArguments } from './nodeArguments';

/** Start containers (multi-select works); nothing to ask. */
export const startContainerCommand: CommandSpec = {
  id: 'docker-levels.startContainer',
  async run(ctx, arg, selected) {
    const nodes = await containerArguments(ctx, arg, selected, (n) => !n.isRunning, 'Start which container?');
    if (!nodes.length) return;
    await changeEach(ctx, nodes, 'Starting', (n) => changeContainerState(n.daemon, n.container.Id, 'start'));
  },
};
