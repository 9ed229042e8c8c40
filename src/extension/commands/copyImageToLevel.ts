import * as vscode from 'vscode';
import { copyImage, displayText, DockerLevelsError, listImages } from '../../core';
import type { CommandSpec } from './commandContext';
import { daemonArgument } from './nodeArguments';
import { imageTargetOf, levelText } from './contentArguments';

/** Streams an image from the chosen daemon to another level, with progress in bytes and cancel. */
export const copyImageToLevelCommand: CommandSpec = {
  id: 'docker-levels.copyImageToLevel',
  async run(ctx, arg) {
    // On an image node: that image (its first tag, else its ID) from its own level.
    const clicked = imageTargetOf(arg);
    const source = clicked ? { daemon: clicked.daemon, label: levelText(clicked.daemon) } : await daemonArgument(ctx, arg, 'Copy an image from which daemon?');
    if (!source) return;
    let image: { label: string; image: string } | undefined;
    if (clicked) {
      image = { label: displayText(clicked.name), image: clicked.tags[0] ?? clicked.id };
    } else {
      const images = await listImages(source.daemon);
      const tags = images.flatMap((i) => i.tags.filter((t) => t !== '<none>:<none>').map((t) => ({ label: displayText(t), image: t, description: `${(i.sizeBytes / 1e6).toFixed(0)} MB` })));
      if (tags.length === 0) throw new DockerLevelsError('notFound', `${displayText(source.label)} has no tagged images to copy.`);
      image = await ctx.prompts.pick(tags, { placeHolder: `Image on ${displayText(source.label)}` });
    }
    if (!image) return;
    const chosen = image;
    const targets = [
      ...ctx.service.roots().filter((r) => r.level && r.level !== source.daemon).map((r) => ({ label: displayText(r.label), description: 'root daemon', daemon: r.level! })),
      ...ctx.service.registry.openLevels().filter((l) => l !== source.daemon).map((l) => ({ label: displayText(l.path), description: `L${l.depth}`, daemon: l })),
    ];
    if (targets.length === 0) throw new DockerLevelsError('notFound', 'No other level is open.', 'Expand the level you want to copy to in the Levels view.');
    const target = await ctx.prompts.pick(targets, { placeHolder: `Copy ${chosen.label} to which level?` });
    if (!target) return;
    const { bytes } = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, title: `Copying ${chosen.label} to ${target.label}`, cancellable: true,
    }, (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      return copyImage(source.daemon, target.daemon, chosen.image, {
        signal: controller.signal, onProgress: (b) => progress.report({ message: `${(b / 1e6).toFixed(1)} MB` }),
      }).finally(() => sub.dispose());
    });
    ctx.log.info(`copied ${chosen.label} from ${source.label} to ${target.label}: ${bytes} bytes`);
  },
};
