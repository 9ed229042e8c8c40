import { changeContainerState } from '../../core';
import type { CommandSpec } from './commandContext';
import { changeEach } from './changeEach';
import { containerArguments } from './nodeArguments';
import { confirmCascade } from './cascadeWarning';

/** Stop containers (multi-select works); levels among them are counted in one question first. */
export const stopContainerCommand: CommandSpec = {
  id: 'docker-levels.stopContainer',
  async run(ctx, arg, selected) {
    const nodes = await containerArguments(ctx, arg, selected, (n) => n.isRunning, 'Stop which container?');
    if (!nodes.length) return;
    if (!(await confirmCascade(ctx, nodes, 'Stop'))) return;
    await changeEach(ctx, nodes, 'Stopping', (n) => changeContainerState(n.daemon, n.container.Id, 'stop'));
  },
};
