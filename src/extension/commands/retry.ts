import { MessageNode } from '../tree/nodes/MessageNode';
import type { CommandSpec } from './commandContext';

/** Retry from a failure node: closes the failed level's connections and fetches its children again. */
export const retryCommand: CommandSpec = {
  id: 'docker-levels.retry',
  run: (ctx, node) => {
    if (!(node instanceof MessageNode) || !node.parent) return ctx.tree.refresh();
    const target = node.parent;
    const level = (target as { levelId?: string }).levelId;
    if (level) ctx.service.registry.close(level);
    ctx.tree.refresh(target.parent ?? undefined);
  },
};
