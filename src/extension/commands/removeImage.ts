import { describeUsers, imageUsers, removeImage } from '../../core';
import type { CommandSpec } from './commandContext';
import { contentArguments, levelText } from './contentArguments';
import { removeEach, what } from './removeEach';

/**
 * Remove images (multi-select works). Asks first; an image in use says which containers use it,
 * and removing it anyway is a force removal (Docker then untags it; its containers keep it).
 */
export const removeImageCommand: CommandSpec = {
  id: 'docker-levels.removeImage',
  async run(ctx, arg, selected) {
    const targets = await contentArguments(ctx, 'image', arg, selected, 'Remove which image?');
    if (!targets.length) return;
    const users = await Promise.all(targets.map((t) => imageUsers(t.daemon, t.id)));
    const inUse = targets.map((t, i) => ({ t, users: users[i] })).filter((x) => x.users.length);
    const detail = inUse.length
      ? inUse.map((x) => `${x.t.name} is used by ${x.users.length === 1 ? 'container' : `${x.users.length} containers`}: ${describeUsers(x.users)}.`).join('\n')
        + '\nRemoving it anyway untags it; those containers keep their image until they are removed.'
      : `On ${levelText(targets[0].daemon)}. ${targets.some((t) => t.tags.length > 1) ? 'Every tag of it goes. ' : ''}This cannot be undone.`;
    const action = inUse.length ? 'Force Remove' : 'Remove';
    if (await ctx.prompts.confirm(`Remove ${what(targets)}?`, detail, action) !== action) return;
    // By ID: the image goes with all its tags; force only where it is in use or has several tags.
    await removeEach(ctx, targets, (t) => removeImage(t.daemon, t.id, { force: inUse.some((x) => x.t === t) || t.tags.length > 1 }));
  },
};
