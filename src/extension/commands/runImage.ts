import * as vscode from 'vscode';
import { displayText, runImage } from '../../core';
import type { CommandSpec } from './commandContext';
import { contentArguments, levelText } from './contentArguments';

/** Run an image at its level, detached (`docker run -d`): asks for an optional name and command. */
export const runImageCommand: CommandSpec = {
  id: 'docker-levels.runImage',
  async run(ctx, arg) {
    const [target] = await contentArguments(ctx, 'image', arg, undefined, 'Run which image?');
    if (!target) return;
    const image = target.tags[0] ?? target.id;
    const name = await ctx.prompts.input({ prompt: `Name of the new container on ${displayText(levelText(target.daemon))} (empty: Docker picks one)`, value: '' });
    if (name === undefined) return;
    const command = await ctx.prompts.input({ prompt: `Command (empty: the image's own)`, placeHolder: 'e.g. sh -c "echo hi; sleep 60"', value: '' });
    if (command === undefined) return;
    const { id } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Running ${displayText(image, 120)}`, cancellable: true },
      (_progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        return runImage(target.daemon, image, { name: name.trim(), cmd: splitCommand(command), signal: controller.signal }).finally(() => sub.dispose());
      });
    ctx.log.info(`ran ${image} on ${target.daemon.what}: container ${id.slice(0, 12)}`);
  },
};

/** Words of a command line, with "double" and 'single' quotes grouping (no other shell syntax). */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}
