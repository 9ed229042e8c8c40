import { networkUsers, PREDEFINED_NETWORKS, removeNetwork } from '../../core';
import type { CommandSpec } from './commandContext';
import { contentArguments, levelText } from './contentArguments';
import { removeEach, what } from './removeEach';

/** Remove networks (multi-select works). One with containers attached, or a predefined one, is refused before asking. */
export const removeNetworkCommand: CommandSpec = {
  id: 'docker-levels.removeNetwork',
  async run(ctx, arg, selected) {
    const targets = await contentArguments(ctx, 'network', arg, selected, 'Remove which network?');
    if (!targets.length) return;
    const free = await Promise.all(targets.map(async (t) => !PREDEFINED_NETWORKS.includes(t.name) && (await networkUsers(t.daemon, t)).length === 0));
    const remove = () => removeEach(ctx, targets, (t) => removeNetwork(t.daemon, t));
    if (free.every((f) => !f)) return remove();
    if (await ctx.prompts.confirm(`Remove ${what(targets)}?`, `On ${levelText(targets[0].daemon)}.`, 'Remove') !== 'Remove') return;
    await remove();
  },
};
