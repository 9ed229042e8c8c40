import { removeVolume, volumeUsers } from '../../core';
import type { CommandSpec } from './commandContext';
import { contentArguments, levelText } from './contentArguments';
import { removeEach, what } from './removeEach';

/** Remove volumes (multi-select works). A volume that a container mounts is refused with its name, before asking. */
export const removeVolumeCommand: CommandSpec = {
  id: 'docker-levels.removeVolume',
  async run(ctx, arg, selected) {
    const targets = await contentArguments(ctx, 'volume', arg, selected, 'Remove which volume?');
    if (!targets.length) return;
    // removeVolume refuses in-use volumes itself; asking first about one that cannot go would be noise.
    const free = await Promise.all(targets.map(async (t) => (await volumeUsers(t.daemon, t.id)).length === 0));
    if (free.every((f) => !f)) return removeEach(ctx, targets, (t) => removeVolume(t.daemon, t.id));
    if (await ctx.prompts.confirm(`Remove ${what(targets)}?`, `On ${levelText(targets[0].daemon)}. Its data is deleted; this cannot be undone.`, 'Remove') !== 'Remove') return;
    await removeEach(ctx, targets, (t) => removeVolume(t.daemon, t.id));
  },
};
