import * as vscode from 'vscode';
import { displayText, DockerLevelsError } from '../../core';
import type { CommandSpec } from './commandContext';
import { daemonArgument } from './nodeArguments';

/** A docker context pointing at the level's forwarder; removed when the forwarder stops. */
export const createDockerContextCommand: CommandSpec = {
  id: 'docker-levels.createDockerContext',
  async run(ctx, arg) {
    if (!(await ctx.contexts.isCliPresent())) {
      throw new DockerLevelsError('notFound', 'No docker CLI is on PATH, so no docker context can be created.', 'Use "Use Level in Terminal" or "Copy Docker Host" instead.');
    }
    const target = await daemonArgument(ctx, arg, 'Create a docker context for which level?');
    if (!target) return;
    const forwarder = await ctx.forwarders.forward(target.daemon);
    const name = await ctx.contexts.create(target.daemon, forwarder);
    void vscode.window.showInformationMessage(`Docker context "${name}" points at ${displayText(target.label)}. Use it with: docker --context ${name} ps`);
    return name;
  },
};
