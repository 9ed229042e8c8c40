import * as vscode from 'vscode';
import { classifyError, parseEndpointUrl } from '../../core';
import { EndpointSetting, SECTION } from '../settings';
import type { CommandSpec } from './commandContext';

/** Adds a root daemon to dockerLevels.endpoints (user settings), validated as it is typed. */
export const addEndpointCommand: CommandSpec = {
  id: 'docker-levels.addEndpoint',
  async run(ctx) {
    const url = await ctx.prompts.input({
      title: 'Add Docker Endpoint', prompt: 'Daemon address', placeHolder: 'tcp://127.0.0.1:2375, unix:///path/docker.sock, ssh://user@host',
      validateInput: (v) => {
        try {
          parseEndpointUrl(v);
          return undefined;
        } catch (err) {
          return classifyError(err).message;
        }
      },
    });
    if (!url) return;
    const name = await ctx.prompts.input({ title: 'Add Docker Endpoint', prompt: 'Name shown in the tree (optional)' });
    if (name === undefined) return;
    const config = vscode.workspace.getConfiguration(SECTION);
    const current = config.inspect<EndpointSetting[]>('endpoints')?.globalValue ?? [];
    await config.update('endpoints', [...current, { name: name || undefined, url: url.trim() }], vscode.ConfigurationTarget.Global);
  },
};
