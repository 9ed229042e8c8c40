import { isFileTreeNode } from '../files/fileTarget';
import type { CommandSpec } from './commandContext';

/** Lists a Files row or a directory row again (Docker has no file events, so the tree cannot know). */
export const refreshFilesCommand: CommandSpec = {
  id: 'docker-levels.refreshFiles',
  run(ctx, arg) {
    if (!isFileTreeNode(arg)) return ctx.tree.refresh();
    return ctx.tree.refresh(arg);
  },
};
