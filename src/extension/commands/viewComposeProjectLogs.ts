import { followProjectLogs } from '../../core';
import { LogsPseudoterminal } from '../terminal/LogsPseudoterminal';
import type { CommandSpec } from './commandContext';
import { composeArgument, levelText } from './contentArguments';

/** Follow the logs of every container of a compose project in one terminal, each line prefixed with its container. */
export const viewComposeProjectLogsCommand: CommandSpec = {
  id: 'docker-levels.viewComposeProjectLogs',
  async run(ctx, arg) {
    const target = await composeArgument(ctx, arg, 'View the logs of which compose project?');
    if (!target) return;
    const pty = new LogsPseudoterminal(target.daemon, (signal) => followProjectLogs(target.daemon, target.project, { signal }));
    return ctx.terminals.openPty(pty, `logs: ${target.project}`, levelText(target.daemon));
  },
};
