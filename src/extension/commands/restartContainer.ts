import { changeContainerState } from '../../core';
import type { CommandSpec } from './commandContext';
import { changeEach } from './changeEach';
import { containerArguments } from './nodeArguments';
import { confirmCascade } from './cascadeWarning';

/** Restart containers (multi-select works); levels among them are counted in one question first. */
export const restartContainerCommand: CommandSpec = {
  id: 'docker-levels.restartContainer',
  async run(ctx, arg, selected) {
    const nodes = await containerArguments(ctx, arg, selected, (n) => n.isRunning, 'Restart which container?');
    if (!nodes.length) return;
    if (!(await confirmCascade(ctx, nodes, 'Restart'))) return;
    await changeEach(ctx, nodes, 'Restarting', (n) => changeContainerState(n.daemon, n.container.Id, 'restart'));
  },
};
