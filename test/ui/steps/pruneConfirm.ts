// Prune Level… at depth 2: the confirmation counts what docker itself counts; Cancel removes nothing.
import { dockerAt } from '../dockerCli';
import { answerDialog } from '../workbenchUi';
import type { UiStep } from './uiStep';

export const pruneConfirm: UiStep = {
  slug: 'prune-confirm',
  title: ({ bed }) => `Prune Level… on ${bed.l2.name}: the modal shows the numbers; Cancel removes nothing`,
  needs: [2],
  async run(ctx, { page, view, bed, chains, runId }) {
    const { l1, l2 } = { l1: bed.l1.name, l2: bed.l2.name };
    const volume = `dl-ui-prune-${runId}`;
    await dockerAt(chains[2], ['volume', 'create', volume]);
    try {
      const unused = (await dockerAt(chains[2], ['volume', 'ls', '-q', '-f', 'dangling=true'])).split('\n').filter(Boolean).length;
      const stopped = (await dockerAt(chains[2], ['ps', '-aq', '-f', 'status=exited', '-f', 'status=created'])).split('\n').filter(Boolean).length;
      await view.contextMenu(l2, 3, 'Prune Level…');
      const dialog = await answerDialog(page, new RegExp(`^Prune ${l1}/${l2}\\? This frees [\\d.]+[kMG]?B\\.$`), 'Cancel', 60_000,
        async () => { await ctx.screenshot('confirm'); });
      ctx.notes.push(`modal: "${dialog.message}" — "${dialog.detail}" [${dialog.buttons.join(' | ')}] ← Cancel`);
      const volumes = `${unused} unused volume${unused === 1 ? '' : 's'} (`;
      if (!dialog.detail.includes(volumes)) throw new Error(`the modal says "${dialog.detail}"; docker volume ls -f dangling=true at ${l2} counts ${unused}`);
      if (stopped && !dialog.detail.includes(`${stopped} stopped container`)) throw new Error(`the modal says "${dialog.detail}"; docker ps at ${l2} counts ${stopped} stopped`);
      const still = (await dockerAt(chains[2], ['volume', 'ls', '-q'])).split('\n');
      if (!still.includes(volume)) throw new Error(`Cancel removed ${volume}`);
      ctx.notes.push(`after Cancel, docker volume ls at ${l2} still lists ${volume}`);
    } finally {
      await dockerAt(chains[2], ['volume', 'rm', volume]).catch(() => undefined);
    }
  },
};
