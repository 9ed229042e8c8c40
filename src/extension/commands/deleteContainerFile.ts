import * as vscode from 'vscode';
import { displayText, DockerLevelsError } from '../../core';
import { containerFileArgument, isFileTreeNode } from '../files/fileTarget';
import { locationOf } from '../files/fileUris';
import type { CommandSpec } from './commandContext';

/**
 * Deletes a file or directory in a container at any depth, after a modal confirmation.
 * Docker's API has no delete: it runs rm in the container (running, with rm in it).
 */
export const deleteContainerFileCommand: CommandSpec = {
  id: 'docker-levels.deleteContainerFile',
  async run(ctx, arg) {
    const uri = await containerFileArgument(ctx, arg, 'File or directory to delete inside the container', '/tmp/');
    if (!uri) return undefined;
    const { container, path } = locationOf(uri);
    if (path === '/') throw new DockerLevelsError('badInput', 'Refusing to delete / of a container.');
    const files = await ctx.files.filesFor(uri);
    const info = await files.stat(path);
    const isDir = info.kind === 'directory' && !info.isSymlink;
    const answer = await ctx.prompts.confirm(`Delete ${displayText(path)} in ${displayText(container)}?`,
      `${isDir ? 'The directory and everything in it' : 'The file'} will be removed inside the container (${displayText(uri.authority.split('+').join(' / '))}). This cannot be undone.`,
      'Delete');
    if (answer !== 'Delete') return undefined;
    // Through workspace.fs: the provider fires the change, so an editor showing the file learns it is gone.
    await vscode.workspace.fs.delete(uri, { recursive: isDir, useTrash: false });
    ctx.log.info(`deleted ${uri.toString()}`);
    // The row's parent lists its directory again (the tree has no file events).
    if (isFileTreeNode(arg) && arg.parent) await ctx.tree.refresh(arg.parent);
    return uri;
  },
};
