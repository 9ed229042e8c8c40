import { changeProjectState, composeProjectContainers, daemonHint, displayText } from '../../core';
import type { CommandSpec } from './commandContext';
import { composeArgument, levelText, refreshAfter } from './contentArguments';

/** Remove every container of a compose project (asks first, naming them; a level among them is said to take its contents). */
export const removeComposeProjectCommand: CommandSpec = {
  id: 'docker-levels.removeComposeProject',
  async run(ctx, arg) {
    const target = await composeArgument(ctx, arg, 'Remove which compose project?');
    if (!target) return;
    const containers = await composeProjectContainers(target.daemon, target.project);
    const names = containers.map((c) => displayText(c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12), 80));
    const levels = containers.filter((c) => daemonHint(c)).length;
    const detail = `On ${levelText(target.daemon)}: ${names.join(', ')}, with their anonymous volumes.`
      + (levels ? ` ${levels} of them ${levels === 1 ? 'is a level' : 'are levels'}: everything inside dies with ${levels === 1 ? 'it' : 'them'}.` : '');
    const choice = await ctx.prompts.confirm(`Remove compose project ${displayText(target.project, 80)} (${containers.length} container${containers.length === 1 ? '' : 's'})?`, detail, 'Remove');
    if (choice !== 'Remove') return;
    await changeProjectState(ctx.service.registry, target.daemon, target.project, 'remove');
    refreshAfter(ctx, target.node);
  },
};
