// Images and Volumes of dl-bed-l2 (depth 2), expanded by clicking: the rows are what
// `docker images` and `docker volume ls` list at that level.
import { dockerAt } from '../dockerCli';
import type { UiStep } from './uiStep';

const lines = (t: string) => t.split('\n').map((l) => l.trim()).filter(Boolean);

export const levelContents: UiStep = {
  slug: 'level-contents',
  title: ({ bed }) => `Images and Volumes of ${bed.l2.name} (depth 2), expanded by a click: the rows are docker images and docker volume ls there`,
  needs: [2],
  async run(ctx, { view, bed, chains }) {
    const l2 = bed.l2.name;
    // Rows: root 1, dl-bed-l1 2, dl-bed-l2 3, its children 4, theirs 5.
    const groups = (await view.children(l2, 3)).map((r) => r.label);
    for (const g of ['Images', 'Volumes']) if (!groups.includes(g)) throw new Error(`${l2} shows no ${g} row; its rows: ${groups.join(', ')}`);

    await view.expand('Images', 4);
    await view.settle();
    const images = await view.children('Images', 4);
    const ids = new Set(lines(await dockerAt(chains[2], ['images', '-q', '--no-trunc'])).map((id) => id.replace(/^sha256:/, '').slice(0, 12)));
    const shown = images.map((r) => r.description.split(' · ')[0]);
    if (shown.length !== ids.size || !shown.every((id) => ids.has(id))) {
      throw new Error(`Images of ${l2} shows ${shown.join(', ')}; docker images there lists ${[...ids].join(', ')}`);
    }
    ctx.notes.push(`Images of ${l2}: ${images.map((r) => `${r.label} (${r.description})`).join('; ')} = docker images (${ids.size} IDs)`);

    await view.expand('Volumes', 4);
    await view.settle();
    const volumes = (await view.children('Volumes', 4)).map((r) => r.label).filter((l) => l !== 'No volumes').sort();
    const cli = lines(await dockerAt(chains[2], ['volume', 'ls', '-q'])).sort();
    if (volumes.join('\n') !== cli.join('\n')) throw new Error(`Volumes of ${l2} shows ${volumes.join(', ')}; docker volume ls there lists ${cli.join(', ')}`);
    ctx.notes.push(`Volumes of ${l2}: ${volumes.length} rows = docker volume ls (${cli.map((v) => v.slice(0, 12)).join(', ') || 'none'})`);
    await view.parkMouse();
    await ctx.screenshot('rows');
  },
};
