import type { CommandSpec } from './commandContext';
import { contentArguments } from './contentArguments';
import { showContentInspect } from './inspectContentDocument';

/** Inspect an image at any level, as a read-only JSON document. */
export const inspectImageCommand: CommandSpec = {
  id: 'docker-levels.inspectImage',
  async run(ctx, arg) {
    const [target] = await contentArguments(ctx, 'image', arg, undefined, 'Inspect which image?');
    if (target) await showContentInspect(ctx, target);
  },
};
