import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as vscode from 'vscode';
import { displayText, DockerLevelsError, MAX_COPY_BYTES } from '../../core';
import { containerFileArgument, withTransferProgress } from '../files/fileTarget';
import { locationOf } from '../files/fileUris';
import type { CommandSpec } from './commandContext';

/** Streams one file out of a container at any depth to a local file, with progress and Cancel. */
export const downloadFileCommand: CommandSpec = {
  id: 'docker-levels.downloadFile',
  async run(ctx, arg) {
    const uri = await containerFileArgument(ctx, arg, 'File to download from the container');
    if (!uri) return undefined;
    const { path: inside } = locationOf(uri);
    const name = path.posix.basename(inside) || 'download';
    const save = ctx.prompts.saveTo ?? ((o: vscode.SaveDialogOptions) => vscode.window.showSaveDialog(o));
    const target = await save({ defaultUri: vscode.Uri.file(path.join(os.homedir(), name)), saveLabel: 'Download' });
    if (!target) return undefined;
    const files = await ctx.files.filesFor(uri);
    const part = `${target.fsPath}.part-${process.pid}`;
    await withTransferProgress(`Downloading ${displayText(name)}`, async (signal, report) => {
      const read = await files.open(inside, { signal, maxBytes: MAX_COPY_BYTES });
      let got = 0;
      read.content.on('data', (c: Buffer) => { got += c.length; report(got, read.size); });
      try {
        // Written beside the target and renamed at the end: a cancel leaves nothing half-written.
        await pipeline(read.content, fs.createWriteStream(part, { mode: read.mode & 0o777 }), { signal });
        if (got !== read.size) throw new DockerLevelsError('unknown', `Only ${got} of ${read.size} bytes of ${displayText(inside)} arrived.`);
        await fs.promises.rename(part, target.fsPath);
      } catch (err) {
        await fs.promises.rm(part, { force: true });
        if (signal.aborted) throw new DockerLevelsError('cancelled', 'Download cancelled.');
        throw err;
      }
    });
    ctx.log.info(`downloaded ${uri.toString()} to ${target.fsPath}`);
    return target;
  },
};
