import { changeProjectState, displayText } from '../../core';
import type { CommandSpec } from './commandContext';
import { composeArgument, refreshAfter } from './contentArguments';

/** Start every container of a compose project at its level. */
export const startComposeProjectCommand: CommandSpec = {
  id: 'docker-levels.startComposeProject',
  async run(ctx, arg) {
    const target = await composeArgument(ctx, arg, 'Start which compose project?');
    if (!target) return;
    const { done } = await changeProjectState(ctx.service.registry, target.daemon, target.project, 'start');
    ctx.log.info(`start compose project ${displayText(target.project)} on ${target.daemon.what}: ${done.length} containers`);
    refreshAfter(ctx, target.node);
  },
};
