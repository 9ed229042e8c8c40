import * as vscode from 'vscode';
import { containerFileArgument } from '../files/fileTarget';
import type { CommandSpec } from './commandContext';

/** Opens a file of a container at any depth in the normal editor (saves go back through the archive API). */
export const openFileInContainerCommand: CommandSpec = {
  id: 'docker-levels.openFileInContainer',
  async run(ctx, arg) {
    const uri = await containerFileArgument(ctx, arg, 'File to open inside the container', '/etc/hostname');
    if (!uri) return undefined;
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    return uri;
  },
};
