import { changeProjectState, displayText } from '../../core';
import type { CommandSpec } from './commandContext';
import { composeArgument, refreshAfter } from './contentArguments';

/** Restart every container of a compose project at its level. */
export const restartComposeProjectCommand: CommandSpec = {
  id: 'docker-levels.restartComposeProject',
  async run(ctx, arg) {
    const target = await composeArgument(ctx, arg, 'Restart which compose project?');
    if (!target) return;
    const { done } = await changeProjectState(ctx.service.registry, target.daemon, target.project, 'restart');
    ctx.log.info(`restart compose project ${displayText(target.project)} on ${target.daemon.what}: ${done.length} containers`);
    refreshAfter(ctx, target.node);
  },
};
