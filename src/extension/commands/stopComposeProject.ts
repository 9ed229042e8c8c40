import { changeProjectState, displayText } from '../../core';
import type { CommandSpec } from './commandContext';
import { composeArgument, refreshAfter } from './contentArguments';

/** Stop every container of a compose project at its level. */
export const stopComposeProjectCommand: CommandSpec = {
  id: 'docker-levels.stopComposeProject',
  async run(ctx, arg) {
    const target = await composeArgument(ctx, arg, 'Stop which compose project?');
    if (!target) return;
    const { done } = await changeProjectState(ctx.service.registry, target.daemon, target.project, 'stop');
    ctx.log.info(`stop compose project ${displayText(target.project)} on ${target.daemon.what}: ${done.length} containers`);
    refreshAfter(ctx, target.node);
  },
};
