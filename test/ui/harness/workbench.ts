// Browser UI test harness: the real VS Code workbench (code-server, pinned 4.139.1) with the
// packaged extension installed, in headless Debian chromium driven by playwright-core.
//
//   const wb = await startWorkbench({ vsix: 'out/docker-levels.vsix' });
//   try {
//     await wb.openViewContainer('Docker Levels');
//     await wb.waitForTreeRow('dockerLevels', /level 1/);
//     await wb.runCommand('Docker Levels: Refresh');
//     console.log(await wb.terminalLines());
//   } catch (e) { await wb.screenshot('failure'); throw e; }
//   finally { await wb.close(); }
//
// Needs `bash test/vscode/testenv/install.sh` once. Only loopback traffic: code-server binds
// 127.0.0.1 on a free port, the browser resolves no other host name, the gallery is off.
// close() kills code-server's process group and the browser and removes every temp dir,
// also when starting failed halfway; a process 'exit'/SIGINT/SIGTERM handler does the same
// for workbenches still open.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import {
  QUIET_SETTINGS,
  TRUST_SETTINGS,
  codeServerEnv,
  findCodeServer,
  firstPage,
  launchChromium,
  makeTempDir,
  remoteUri,
  removeDir,
  startCodeServer,
  workbenchUrl,
  writeUserSettings,
  type CodeServer,
} from '../../vscode/launcher/codeServer';

export interface WorkbenchOptions {
  /** A packaged extension to install first (`code-server --install-extension`). */
  vsix?: string;
  /** Alternatively (or as well) load an unpacked extension in development mode. */
  extensionDevelopmentPath?: string;
  /** Folder to open; default a fresh temp dir, removed by close(). */
  workspace?: string;
  /**
   * Workspace trust on: the folder opens in Restricted Mode until trusted (TRUST_SETTINGS);
   * default off, as the quiet settings have it. Trust it with trustWorkspace().
   */
  workspaceTrust?: boolean;
  /** User settings on top of the quiet defaults (QUIET_SETTINGS). */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so for the extension host and its terminals. */
  env?: Record<string, string | undefined>;
  /** Where screenshot() writes; default $DOCKER_LEVELS_UI_SCREENSHOTS or <repo>/test-results/ui. */
  screenshotDir?: string;
  /** How long to wait for the workbench to be restored; default 90 s (slow 2-core machines). */
  readyTimeoutMs?: number;
  viewport?: { width: number; height: number };
  /** Echo code-server's output and the browser console to stderr. */
  debug?: boolean;
}

export interface TreeRow {
  label: string;
  description: string;
  /** aria-level: 1 for top-level rows. */
  level: number;
  /** true/false for collapsible rows, undefined for leaves. */
  expanded: boolean | undefined;
  selected: boolean;
}

export interface Workbench {
  page: Page;
  context: BrowserContext;
  port: number;
  server: CodeServer;
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  /** Kills code-server and the browser, removes temp dirs. Idempotent, never throws. */
  close(): Promise<void>;
  openViewContainer(title: string): Promise<void>;
  treeRows(containerId: string): Promise<string[]>;
  treeItems(containerId: string): Promise<TreeRow[]>;
  waitForTreeRow(containerId: string, label: string | RegExp, timeoutMs?: number): Promise<TreeRow>;
  runCommand(title: string): Promise<void>;
  terminalLines(): Promise<string[]>;
  waitForTerminalText(text: string | RegExp, timeoutMs?: number): Promise<string[]>;
  screenshot(name: string): Promise<string>;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Monaco renders spaces as U+00A0; tests compare with plain spaces. */
export function normalizeText(s: string): string {
  return s.replace(/\u00a0/g, ' ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls fn until it returns a value other than undefined, or throws the last error. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

// ------------------------------------------------------------------ page-level helpers

function cssString(s: string): string {
  return JSON.stringify(s); // a valid CSS string literal for attribute selectors
}

/** The DOM id of a view container contributed as `viewsContainers.activitybar[].id`. */
export function viewContainerDomId(containerId: string): string {
  return containerId.startsWith('workbench.view.') ? containerId : `workbench.view.extension.${containerId}`;
}

/** Waits until the workbench is restored (smoke-test driver) and the activity bar is there. */
export async function waitForWorkbench(page: Page, timeoutMs = 90_000): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
  // (Callbacks below run in the browser; globalThis is `window` there. The project's tsconfig
  // has no DOM lib, hence the casts.)
  await page.waitForFunction(() => typeof (globalThis as unknown as { driver?: unknown }).driver === 'object', undefined, { timeout: timeoutMs });
  await page.evaluate(() => (globalThis as unknown as { driver: { whenWorkbenchRestored(): Promise<void> } }).driver.whenWorkbenchRestored());
  await page.waitForSelector('.part.activitybar li.action-item[role="tab"]', { timeout: timeoutMs });
}

/**
 * Opens the activity-bar container whose entry has this title (aria-label, exact or followed
 * by a keybinding like " (Ctrl+Shift+E)"). Does nothing if it is already open.
 */
export async function openActivityBarContainer(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const exact = `.part.activitybar li.action-item[role="tab"]:has(a.action-label[aria-label=${cssString(title)}])`;
  const prefixed = `.part.activitybar li.action-item[role="tab"]:has(a.action-label[aria-label^=${cssString(title + ' (')}])`;
  const tab = page.locator(`${exact}, ${prefixed}`).first();
  await tab.waitFor({ state: 'visible', timeout: timeoutMs });
  if ((await tab.getAttribute('aria-selected')) !== 'true') {
    await tab.click();
  }
  await waitFor(`activity bar entry "${title}" to be selected`, async () => ((await tab.getAttribute('aria-selected')) === 'true' ? true : undefined), timeoutMs);
}

/** The tree rows currently rendered in a view container (only the visible, virtualized rows). */
export async function readTreeItems(page: Page, containerId: string): Promise<TreeRow[]> {
  const rootSelector = `[id=${cssString(viewContainerDomId(containerId))}]`;
  const rows = await page.$$eval(`${rootSelector} .monaco-list-row[role="treeitem"]`, (els) =>
    els.map((el) => ({
      label: el.querySelector('.label-name')?.textContent ?? '',
      description: el.querySelector('.label-description')?.textContent ?? '',
      level: Number(el.getAttribute('aria-level') ?? '1'),
      expanded: el.hasAttribute('aria-expanded') ? el.getAttribute('aria-expanded') === 'true' : undefined,
      selected: el.getAttribute('aria-selected') === 'true',
      top: Number.parseFloat((el as unknown as { style: { top: string } }).style.top || '0'),
    })),
  );
  return rows
    .sort((a, b) => a.top - b.top)
    .map(({ top: _top, ...r }) => ({ ...r, label: normalizeText(r.label), description: normalizeText(r.description) }));
}

export async function readTreeRows(page: Page, containerId: string): Promise<string[]> {
  return (await readTreeItems(page, containerId)).map((r) => r.label);
}

/** Runs a command through the palette (F1) by its full title, e.g. "Docker Levels: Refresh". */
export async function runPaletteCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  // Focus the workbench (not a webview/terminal that would swallow F1), then open the palette.
  await page.locator('.monaco-workbench').focus().catch(() => undefined);
  await page.keyboard.press('F1');
  const input = widget.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${title}`);
  const rows = widget.locator('.quick-input-list .monaco-list-row');
  const wanted = normalizeText(title);
  const index = await waitFor(
    `palette entry "${title}"`,
    async () => {
      const labels = (await rows.evaluateAll((els) =>
        els.map((el) => el.querySelector('.label-name')?.textContent ?? el.getAttribute('aria-label') ?? ''),
      )).map(normalizeText);
      const i = labels.findIndex((l) => l === wanted);
      return i >= 0 ? i : undefined;
    },
    timeoutMs,
  );
  await rows.nth(index).click();
  await widget.waitFor({ state: 'hidden', timeout: timeoutMs }).catch(() => undefined);
}

/** Lines of the active terminal's buffer (trailing blanks trimmed, U+00A0 → space). */
export async function readTerminalLines(page: Page): Promise<string[]> {
  const lines = await page.evaluate(async () => {
    type XtermBuffer = { length: number; getLine(i: number): { translateToString(trim: boolean): string } | undefined };
    const w = globalThis as unknown as {
      driver?: { getTerminalBuffer?(selector: string): Promise<string[]> };
      document: { querySelector(selector: string): { xterm?: { buffer: { active: XtermBuffer } } } | null };
    };
    if (w.driver?.getTerminalBuffer) {
      try {
        return await w.driver.getTerminalBuffer('.terminal-wrapper.active');
      } catch {
        /* fall through to xterm directly */
      }
    }
    const el = w.document.querySelector('.terminal-wrapper.active');
    const buffer = el?.xterm?.buffer.active;
    if (!buffer) throw new Error('no active terminal');
    const out: string[] = [];
    for (let i = 0; i < buffer.length; i++) out.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return out;
  });
  const normalized = lines.map((l) => normalizeText(l).replace(/\s+$/, ''));
  while (normalized.length > 0 && normalized[normalized.length - 1] === '') normalized.pop();
  return normalized;
}

export async function takeScreenshot(page: Page, dir: string, name: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_');
  const file = path.join(dir, safe.endsWith('.png') ? safe : `${safe}.png`);
  await page.screenshot({ path: file });
  return file;
}

// ------------------------------------------------------------------ lifecycle

const open = new Set<() => void>();
let handlersInstalled = false;

/** Last-resort cleanup for workbenches still open when the process ends or is signalled. */
function installProcessHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const kill of open) kill();
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const handler = (): void => {
      for (const kill of open) kill();
      process.removeListener(sig, handler);
      // Keep the default behaviour (die by the signal) unless someone else handles it.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

function installVsix(vsix: string, userDataDir: string, extensionsDir: string, configDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const exe = findCodeServer();
  const args = [
    '--config', path.join(configDir, 'config.yaml'),
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--install-extension', path.resolve(vsix),
    '--force',
  ];
  return new Promise((resolve, reject) => {
    execFile(exe, args, { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`code-server --install-extension ${vsix} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

export async function startWorkbench(opts: WorkbenchOptions = {}): Promise<Workbench> {
  installProcessHandlers();
  const tmp = makeTempDir('docker-levels-ui-');
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = path.join(tmp, 'extensions');
  const workspace = opts.workspace ? path.resolve(opts.workspace) : path.join(tmp, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const screenshotDir = opts.screenshotDir ?? process.env.DOCKER_LEVELS_UI_SCREENSHOTS ?? path.join(REPO_ROOT, 'test-results', 'ui');
  const debug = opts.debug ?? process.env.DOCKER_LEVELS_LAUNCHER_DEBUG === '1';

  let server: CodeServer | undefined;
  let context: BrowserContext | undefined;
  let closing: Promise<void> | undefined;
  const killNow = (): void => {
    // Synchronous: usable from process 'exit'. The browser dies with playwright's own exit hook.
    if (server) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      removeDir(server.tmpDir);
    }
    removeDir(tmp);
  };
  open.add(killNow);
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (context) {
        const ctx = context;
        await Promise.race([ctx.close().catch(() => undefined), sleep(10_000)]);
      }
      if (server) await server.stop();
      removeDir(tmp); // the default workspace lives in tmp too
      open.delete(killNow);
    })();
    return closing;
  };

  try {
    if (opts.vsix && !existsSync(opts.vsix)) throw new Error(`vsix not found: ${opts.vsix} (run npm run package)`);
    const env = codeServerEnv(opts.env);
    writeUserSettings(userDataDir, { ...QUIET_SETTINGS, ...(opts.workspaceTrust ? TRUST_SETTINGS : {}), ...(opts.settings ?? {}) });
    mkdirSync(extensionsDir, { recursive: true });
    // An empty config.yaml, so that code-server never writes one into ~/.config.
    writeFileSync(path.join(tmp, 'config.yaml'), '');
    if (opts.vsix) await installVsix(opts.vsix, userDataDir, extensionsDir, tmp, env);

    server = await startCodeServer({
      userDataDir, extensionsDir, configDir: tmp, env, workspaceTrust: opts.workspaceTrust, echo: debug ? process.stderr : undefined,
    });
    const port = server.port;
    context = await launchChromium(path.join(tmp, 'chromium-profile'), { viewport: opts.viewport });
    const page = await firstPage(context);
    if (debug) {
      page.on('console', (msg) => process.stderr.write(`[browser ${msg.type()}] ${msg.text()}\n`));
      page.on('pageerror', (err) => process.stderr.write(`[browser pageerror] ${err.message}\n`));
    }
    const payload: Array<[string, string]> = opts.extensionDevelopmentPath
      ? [['extensionDevelopmentPath', remoteUri(port, opts.extensionDevelopmentPath)]]
      : [];
    const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;
    await page.goto(workbenchUrl(port, workspace, payload), { waitUntil: 'domcontentloaded', timeout: readyTimeoutMs });
    await waitForWorkbench(page, readyTimeoutMs);

    const srv = server;
    const ctx = context;
    return {
      page,
      context: ctx,
      port,
      server: srv,
      workspace,
      userDataDir,
      extensionsDir,
      close,
      openViewContainer: (title) => openActivityBarContainer(page, title),
      treeRows: (containerId) => readTreeRows(page, containerId),
      treeItems: (containerId) => readTreeItems(page, containerId),
      waitForTreeRow: (containerId, label, timeoutMs = 30_000) =>
        waitFor(`tree row ${String(label)} in ${containerId}`, async () =>
          (await readTreeItems(page, containerId)).find((r) => (typeof label === 'string' ? r.label === label : label.test(r.label))),
        timeoutMs),
      runCommand: (title) => runPaletteCommand(page, title),
      terminalLines: () => readTerminalLines(page),
      waitForTerminalText: (text, timeoutMs = 30_000) =>
        waitFor(`terminal text ${String(text)}`, async () => {
          const lines = await readTerminalLines(page);
          const all = lines.join('\n');
          return (typeof text === 'string' ? all.includes(text) : text.test(all)) ? lines : undefined;
        }, timeoutMs),
      screenshot: (name) => takeScreenshot(page, screenshotDir, name),
    };
  } catch (err) {
    if (context && debug) {
      try {
        const page = context.pages()[0];
        if (page) process.stderr.write(`[ui] screenshot of the failed start: ${await takeScreenshot(page, screenshotDir, 'workbench-start-failed')}\n`);
      } catch {
        /* ignore */
      }
    }
    await close();
    throw err;
  }
}
