import * as vscode from 'vscode';
import { EndpointSetting, endpointSettingText, SECTION } from '../settings';
import { DaemonNode } from '../tree/nodes/DaemonNode';
import type { CommandSpec } from './commandContext';

/** Removes a root daemon from dockerLevels.endpoints. Nothing on the daemon is touched. */
export const removeEndpointCommand: CommandSpec = {
  id: 'docker-levels.removeEndpoint',
  async run(ctx, arg) {
    const config = vscode.workspace.getConfiguration(SECTION);
    const current = config.inspect<EndpointSetting[]>('endpoints')?.globalValue ?? [];
    let url = arg instanceof DaemonNode && arg.entry.fromSettings ? arg.entry.url : undefined;
    if (!url) {
      const pick = await ctx.prompts.pick(current.map((e) => ({ label: e.name || endpointSettingText(e), description: endpointSettingText(e), url: endpointSettingText(e) })),
        { placeHolder: current.length ? 'Remove which endpoint?' : 'No endpoints are configured in user settings' });
      url = pick?.url;
    }
    if (!url) return;
    await config.update('endpoints', current.filter((e) => endpointSettingText(e) !== url), vscode.ConfigurationTarget.Global);
  },
};
