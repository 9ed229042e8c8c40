// Restricted Mode, in a workbench of its own with workspace trust on: a folder not trusted whose
// .vscode/settings.json names other endpoints (a loopback listener that counts connections, a
// command that would leave a file) and another DinD image. Neither is used and the tree shows
// the local daemon; once the folder is trusted both are, which proves the planted file is read.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { normalizeText, startWorkbench, waitFor, type Workbench } from '../harness/workbench';
import { dockerAt } from '../dockerCli';
import { LevelsView } from '../workbenchUi';
import type { UiStep } from './uiStep';

const REPO = path.resolve(__dirname, '..', '..', '..');
const PLANTED_IMAGE = 'planted/untrusted-image:1';
/** What the user settings give (none set): the extension's default. */
const USER_IMAGE = 'docker:dind';

/** A loopback listener standing in for another daemon: it counts connections and drops them. */
async function countingListener(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = net.createServer((socket) => { connections++; socket.destroy(); });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const port = (server.address() as net.AddressInfo).port;
  return { port, connections: () => connections, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The status bar's workspace trust entry says "Restricted Mode" (the folder is not trusted). */
async function restrictedMode(page: Page): Promise<boolean> {
  const texts = await page.locator('.part.statusbar .statusbar-item').evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label') ?? ''} ${e.textContent ?? ''}`));
  return texts.some((t) => /Restricted Mode/.test(normalizeText(t)));
}

/** Start DinD Here on a row: the image input box's default, then Escape (nothing is started). */
async function offeredImage(wb: Workbench, view: LevelsView, rootLabel: string): Promise<string> {
  await view.contextMenu(rootLabel, 1, 'Start DinD Here');
  const widget = wb.page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  const value = await waitFor('the Docker-in-Docker image input box', async () => {
    if (!(await widget.isVisible())) return undefined;
    const message = normalizeText((await widget.locator('.quick-input-message').textContent()) ?? '');
    return /Docker-in-Docker image/.test(message) ? input.inputValue() : undefined;
  }, 30_000, 100);
  await input.press('Escape');
  await widget.waitFor({ state: 'hidden', timeout: 10_000 });
  return value;
}

/** Trusts the open folder as a person does: Manage Workspace Trust, then its Trust button. */
async function trustFolder(wb: Workbench): Promise<void> {
  await wb.runCommand('Workspaces: Manage Workspace Trust');
  const editor = wb.page.locator('.workspace-trust-editor');
  await editor.waitFor({ state: 'visible', timeout: 30_000 });
  const trust = editor.locator('.monaco-button', { hasText: /^Trust( Folder)?$/ }).first();
  await trust.waitFor({ state: 'visible', timeout: 10_000 }).catch(async () => {
    const buttons = (await editor.locator('.monaco-button').allTextContents()).map(normalizeText);
    throw new Error(`the workspace trust editor has no Trust button; its buttons: ${buttons.join(' | ') || 'none'}`);
  });
  await trust.click();
  await waitFor('Restricted Mode to end', async () => ((await restrictedMode(wb.page)) ? undefined : true), 30_000);
  // The trust editor covers the side bar: closed, as a person would.
  if (await editor.isVisible()) await wb.runCommand('View: Close All Editors');
  await editor.waitFor({ state: 'hidden', timeout: 10_000 });
}

export const untrustedFolder: UiStep = {
  slug: 'untrusted-folder',
  title: () => 'An untrusted folder names other endpoints and another image: neither is used, the tree shows the local daemon; trusted, both are',
  needs: [],
  async run(ctx, { runId }) {
    const folder = mkdtempSync(path.join(tmpdir(), `dl-ui-untrusted-${runId}-`));
    const marker = path.join(folder, 'planted-command-ran');
    const listener = await countingListener();
    let wb: Workbench | undefined;
    try {
      mkdirSync(path.join(folder, '.vscode'));
      writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({
        'dockerLevels.endpoints': [
          { name: 'planted-tcp', url: `tcp://127.0.0.1:${listener.port}` },
          { name: 'planted-cmd', command: ['sh', '-c', `touch '${marker}'`] },
        ],
        'dockerLevels.dindImage': PLANTED_IMAGE,
      }, null, 2));
      ctx.notes.push(`folder ${folder}: .vscode/settings.json names tcp://127.0.0.1:${listener.port}, a command that touches a file, image ${PLANTED_IMAGE}`);
      wb = await startWorkbench({
        vsix: path.join(REPO, 'out', 'docker-levels.vsix'),
        workspace: folder,
        workspaceTrust: true,
        viewport: { width: 1400, height: 900 },
        settings: { 'workbench.tree.enableStickyScroll': false },
      });
      const page = wb.page;
      const view = new LevelsView(wb);
      if (!(await waitFor('Restricted Mode in the status bar', async () => ((await restrictedMode(page)) ? true : undefined), 30_000).catch(() => false))) {
        throw new Error('the folder did not open in Restricted Mode: the status bar does not say so');
      }
      ctx.notes.push('the status bar says Restricted Mode');

      await wb.openViewContainer('Docker Levels');
      const hostName = (await dockerAt([], ['info', '-f', '{{.Name}}'])).trim();
      const local = await view.waitForRow('the local daemon', (r) => r.level === 1 && /^local\b/.test(r.label), 90_000);
      if (local.label !== `local (${hostName})`) throw new Error(`root row "${local.label}", expected "local (${hostName})"`);
      // Every root is asked at once and drawn together: had a planted one counted, it would be here now.
      const roots = (await view.rows()).filter((r) => r.level === 1).map((r) => r.label);
      ctx.notes.push(`roots in Restricted Mode: ${roots.join(', ')}`);
      if (roots.length !== 1) throw new Error(`the tree shows roots ${roots.join(', ')}; only the local daemon is expected`);
      if (listener.connections() !== 0) throw new Error(`the planted tcp endpoint was dialled ${listener.connections()} time(s)`);
      if (existsSync(marker)) throw new Error('the planted command endpoint ran');
      ctx.notes.push('the planted tcp endpoint: 0 connections; the planted command: not run');
      const restricted = await offeredImage(wb, view, local.label);
      ctx.notes.push(`Start DinD Here offers "${restricted}"`);
      if (restricted !== USER_IMAGE) throw new Error(`Start DinD Here offers "${restricted}", not the user settings' ${USER_IMAGE}`);
      await wb.screenshot('untrusted-folder-restricted');

      // The control: trusted, the same file is honoured (it was read, and only trust held it back).
      await trustFolder(wb);
      ctx.notes.push('Manage Workspace Trust → Trust: Restricted Mode ended');
      const planted = await view.waitForRow('the planted tcp endpoint as a root', (r) => r.level === 1 && /^planted-tcp\b/.test(r.label), 60_000);
      await view.waitForRow('the planted command endpoint as a root', (r) => r.level === 1 && /^planted-cmd\b/.test(r.label), 60_000);
      await waitFor('a connection to the planted tcp endpoint', async () => (listener.connections() > 0 ? true : undefined), 30_000);
      await waitFor('the planted command to run', async () => (existsSync(marker) ? true : undefined), 30_000);
      ctx.notes.push(`trusted: roots ${(await view.rows()).filter((r) => r.level === 1).map((r) => r.label).join(', ')}; ` +
        `${listener.connections()} connection(s) to the listener; the command ran; planted-tcp shows "${planted.description}"`);
      const trusted = await offeredImage(wb, view, local.label);
      ctx.notes.push(`Start DinD Here offers "${trusted}"`);
      if (trusted !== PLANTED_IMAGE) throw new Error(`trusted, Start DinD Here offers "${trusted}", not the folder's ${PLANTED_IMAGE}`);
      await wb.screenshot('untrusted-folder-trusted');
    } catch (err) {
      if (wb) await wb.screenshot('untrusted-folder-FAILED').catch(() => undefined);
      throw err;
    } finally {
      await wb?.close();
      await listener.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
};
