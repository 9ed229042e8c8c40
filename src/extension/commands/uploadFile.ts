import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { displayText, DockerLevelsError, joinContainerPath } from '../../core';
import { containerFileArgument, isFileTreeNode, withTransferProgress } from '../files/fileTarget';
import { locationOf, withContainerPath } from '../files/fileUris';
import type { CommandSpec } from './commandContext';

/** Streams one local file into a directory of a container at any depth, with progress and Cancel. */
export const uploadFileCommand: CommandSpec = {
  id: 'docker-levels.uploadFile',
  async run(ctx, arg) {
    const dirUri = await containerFileArgument(ctx, arg, 'Directory inside the container to upload into', '/tmp');
    if (!dirUri) return undefined;
    const open = ctx.prompts.openFrom ?? ((o: vscode.OpenDialogOptions) => vscode.window.showOpenDialog(o));
    const picked = await open({ canSelectFiles: true, canSelectFolders: false, canSelectMany: false, openLabel: 'Upload' });
    const source = picked?.[0];
    if (!source) return undefined;
    const files = await ctx.files.filesFor(dirUri);
    const dir = locationOf(dirUri).path;
    const info = await files.stat(dir);
    if (info.kind !== 'directory') throw new DockerLevelsError('badInput', `${displayText(dir)} is not a directory of the container.`);
    const target = joinContainerPath(dir, path.basename(source.fsPath));
    const { size } = await fs.promises.stat(source.fsPath);
    await withTransferProgress(`Uploading ${displayText(path.basename(source.fsPath))}`, async (signal, report) => {
      const stream = fs.createReadStream(source.fsPath);
      try {
        await files.write(target, { stream, size }, { signal, onProgress: report });
      } finally {
        stream.destroy();
      }
    });
    ctx.log.info(`uploaded ${source.fsPath} to ${dirUri.toString()}`);
    // "Upload here" on a directory row: the row lists its directory again, with the new file.
    if (isFileTreeNode(arg)) await ctx.tree.refresh(arg);
    return withContainerPath(dirUri, target);
  },
};
