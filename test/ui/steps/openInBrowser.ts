// Open in Browser at depth 3: a web server the step starts in dl-bed-l3, its Ports row in the
// tree, Open in Browser on its 80/tcp row, the page read in the tab that opens, screenshots of
// both; then Stop Port Forward on the row takes the forward away.
import { dockerAt } from '../dockerCli';
import { answerDialog } from '../workbenchUi';
import type { UiStep } from './uiStep';

const LEAF_IMAGE = 'docker-levels-test/leaf:latest';
/** aria-levels: root 1, l1 2, l2 3, l3 4, a container at depth 3 is 5, its Ports 6, a port 7. */
const CONTAINER_ROW = 5;

export const openInBrowser: UiStep = {
  slug: 'open-in-browser',
  title: ({ bed }) => `Open in Browser on a web server at depth 3 (in ${bed.l3.name}), through its port row: the page loads in a new tab`,
  needs: [2],
  async run(ctx, { wb, page, view, chains, created, runId }) {
    const name = `dl-ui-web-${runId}`;
    const text = `Docker Levels page ${runId} from depth 3`;
    created.add(chains[3], name);
    await dockerAt(chains[3], ['run', '-d', '--name', name, '--expose', '80', LEAF_IMAGE, 'sh', '-c',
      `mkdir -p /w && echo '<html><body><h1>${text}</h1></body></html>' > /w/index.html && exec httpd -f -p 80 -h /w`]);
    await view.waitForRow(`${name} at depth 3`, (r) => r.label === name && r.level === CONTAINER_ROW);
    await view.expand(name, CONTAINER_ROW);
    const kids = (await view.children(name, CONTAINER_ROW)).map((r) => r.label);
    if (!kids.includes('Ports')) throw new Error(`${name} shows ${kids.join(', ')}: no Ports row`);
    await view.waitForRow('the 80/tcp row', (r) => r.label === '80/tcp' && r.level === CONTAINER_ROW + 2);
    await ctx.screenshot('port-row');

    const opened = wb.context.waitForEvent('page', { timeout: 90_000 });
    const menu = await view.contextMenu('80/tcp', CONTAINER_ROW + 2, 'Open in Browser');
    ctx.notes.push(`context menu of 80/tcp: ${menu.join(' | ')}`);
    // VS Code asks before it opens a site it does not trust; loopback it trusts, so this is only a fallback.
    void answerDialog(page, /open the external website/i, 'Open', 15_000).then(
      (d) => ctx.notes.push(`VS Code asked "${d.message}" ← Open`), () => undefined);
    const tab = await opened;
    await tab.waitForLoadState('domcontentloaded');
    const heading = (await tab.locator('h1').innerText({ timeout: 60_000 })).trim();
    if (heading !== text) throw new Error(`the tab at ${tab.url()} shows "${heading}", the server serves "${text}"`);
    ctx.notes.push(`new tab ${tab.url()} shows "${heading}"`);
    const shot = await ctx.screenshot('workbench');
    const pageShot = shot.replace(/\.png$/, '-tab.png');
    await tab.screenshot({ path: pageShot });
    ctx.notes.push(`the tab's screenshot: ${pageShot}`);
    await tab.close();

    await view.waitForRow('80/tcp to show its forward', (r) => r.label === '80/tcp' && /forwarded to 127\.0\.0\.1:\d+/.test(r.description ?? ''));
    await view.contextMenu('80/tcp', CONTAINER_ROW + 2, 'Stop Port Forward');
    await view.waitForRow('80/tcp without a forward', (r) => r.label === '80/tcp' && !/forwarded/.test(r.description ?? ''));
    ctx.notes.push('Stop Port Forward on the row: its description no longer names a forward');
    await dockerAt(chains[3], ['rm', '-f', name]);
    created.forget(name);
  },
};
