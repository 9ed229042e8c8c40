import type { CommandSpec } from './commandContext';
import { contentArguments } from './contentArguments';
import { showContentInspect } from './inspectContentDocument';

/** Inspect a network at any level, as a read-only JSON document. */
export const inspectNetworkCommand: CommandSpec = {
  id: 'docker-levels.inspectNetwork',
  async run(ctx, arg) {
    const [target] = await contentArguments(ctx, 'network', arg, undefined, 'Inspect which network?');
    if (target) await showContentInspect(ctx, target);
  },
};
