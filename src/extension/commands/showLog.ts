import type { CommandSpec } from './commandContext';

export const showLogCommand: CommandSpec = {
  id: 'docker-levels.showLog',
  run: (ctx) => ctx.errors.showLog(),
};
