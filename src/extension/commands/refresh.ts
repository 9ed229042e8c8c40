import type { CommandSpec } from './commandContext';

export const refreshCommand: CommandSpec = {
  id: 'docker-levels.refresh',
  run: (ctx) => ctx.tree.refresh(),
};
