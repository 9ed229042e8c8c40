// Edit a file at depth 3 through the tree: dl-bed-web3 → Files → tmp → a directory made for this
// run → the file; a click opens it in the editor, typing and Ctrl+S save it, and docker exec at
// level 3 reads back what was typed.
import { normalizeText, waitFor } from '../harness/workbench';
import { dockerAt } from '../dockerCli';
import type { UiStep } from './uiStep';

export const editFile: UiStep = {
  slug: 'edit-file',
  title: ({ bed }) => `Open a file of ${bed.web3.name} (depth 3) through its Files row, type, save; docker exec at L3 reads it back`,
  needs: [2],
  async run(ctx, { page, view, bed, chains, runId }) {
    const dir = `dl-ui-edit-${runId}`;
    const file = `/tmp/${dir}/notes.txt`;
    const typed = `typed in the browser ${runId}`;
    const inWeb3 = (...cmd: string[]) => dockerAt(chains[3], ['exec', bed.web3.name, ...cmd]);
    await inWeb3('sh', '-c', `mkdir -p /tmp/${dir} && printf 'first line\\n' > ${file}`);
    try {
      for (const [label, level] of [[bed.l1.name, 2], [bed.l2.name, 3], [bed.l3.name, 4], [bed.web3.name, 5]] as const) await view.expand(label, level);
      await view.expand('Files', 6);
      await view.expand('tmp', 7);
      await view.expand(dir, 8);
      // The listing runs find/stat through the exec chain to L3: wait for its row, not for a time.
      await view.waitForRow('the row notes.txt under the directory', (r) => r.label === 'notes.txt' && r.level === 9, 60_000);
      await view.reveal('notes.txt', 9);
      await view.rowLocator('notes.txt', 9).click();
      const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines');
      // Monaco renders spaces as U+00A0.
      await waitFor('the file in the editor', async () => (normalizeText((await editor.textContent()) ?? '').includes('first line') ? true : undefined), 60_000);
      const tab = page.locator('.tabs-container .tab.active');
      const tabTitle = (await tab.getAttribute('title')) ?? (await tab.textContent()) ?? '';
      await editor.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type(typed, { delay: 10 });
      await page.keyboard.press('Control+S');
      await waitFor('the tab saved (not dirty)', async () => (await page.locator('.tabs-container .tab.active.dirty').count() === 0 ? true : undefined), 60_000);
      const back = await waitFor('the saved text at L3', async () => {
        const text = await inWeb3('cat', file);
        return text.includes(typed) ? text : undefined;
      }, 30_000);
      if (back !== `first line\n${typed}`) throw new Error(`docker exec cat at L3 reads ${JSON.stringify(back)}`);
      await ctx.screenshot('saved');
      ctx.notes.push(`tab "${tabTitle.trim()}"; docker exec ${bed.web3.name} cat ${file} at L3 = ${JSON.stringify(back)}`);
      await page.keyboard.press('Control+W');
    } finally {
      await inWeb3('rm', '-rf', `/tmp/${dir}`).catch(() => undefined);
    }
  },
};
