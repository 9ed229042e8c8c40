import type { CommandSpec } from './commandContext';
import { contentArguments } from './contentArguments';
import { showContentInspect } from './inspectContentDocument';

/** Inspect a volume at any level, as a read-only JSON document. */
export const inspectVolumeCommand: CommandSpec = {
  id: 'docker-levels.inspectVolume',
  async run(ctx, arg) {
    const [target] = await contentArguments(ctx, 'volume', arg, undefined, 'Inspect which volume?');
    if (target) await showContentInspect(ctx, target);
  },
};
