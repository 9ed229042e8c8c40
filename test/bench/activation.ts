/**
 * Activation of a built extension bundle in the real extension host: code-server (installed by
 * test/vscode/testenv/install.sh outside the repo) and headless Debian chromium, on loopback only.
 * The bundle is installed by copying it into a fresh extensions folder (code-server ignores an
 * extensionDevelopmentPath payload without tests); a click on the activity-bar entry activates
 * it (onView), and the "activated in N ms" line it writes to its log channel is read from
 * code-server's log folder.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sleep } from './stats';

const REPO = path.resolve(__dirname, '..', '..');
const LISTENING = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//;
const ACTIVATED = /activated in (\d+) ms/;
const HOST_STARTS = /^(\S+ \S+) .*_doActivateExtension docker-levels\.docker-levels\b/m;
const HOST_CALLS = /^(\S+ \S+) .*_callActivateOptional docker-levels\.docker-levels\b/m;
const SETTINGS = {
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'security.workspace.trust.enabled': false,
};
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'];

export interface Activation {
  /** What the extension's own log line says activate() took. */
  activateMs: number;
  /**
   * From the extension host starting the activation (its "_doActivateExtension" trace line) to
   * calling activate() ("_callActivateOptional"): loading the bundle and the extension context.
   * The host runs other extensions' work on the same thread meanwhile, so this is noisy.
   */
  loadToActivateMs?: number;
  /** From opening the workbench page to the activity-bar entry being clickable. */
  workbenchReadyMs: number;
  logFile: string;
}

/** Why activation cannot be measured here, or undefined when it can. */
export function activationUnavailable(): string | undefined {
  const cs = codeServerPath();
  if (!existsSync(cs)) return `code-server not installed at ${cs} (bash test/vscode/testenv/install.sh installs it)`;
  if (!existsSync(chromiumPath())) return `no chromium at ${chromiumPath()}`;
  return undefined;
}

function codeServerPath(): string {
  return process.env.DOCKER_LEVELS_CODE_SERVER
    || path.join(process.env.DOCKER_LEVELS_TESTENV || '/opt/docker-levels-testenv', 'bin', 'code-server');
}

function chromiumPath(): string {
  return process.env.DOCKER_LEVELS_CHROMIUM || '/usr/bin/chromium';
}

/** "2026-11-29 00:21:58.123" (local time) in milliseconds. */
function logTime(text: string): number {
  return new Date(text.replace(' ', 'T')).getTime();
}

function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesBelow(p) : [p];
  });
}

/** Measures activation of `bundle` (an extension.js) with the repo's package.json and media. */
export async function measureActivation(bundle: string, log: (m: string) => void, timeoutMs = 150_000): Promise<Activation> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'dl-bench-activation-'));
  // Installed by copying: code-server scans its extensions folder at start (no .vsix needed).
  const ext = path.join(tmp, 'exts', 'docker-levels.docker-levels-0.0.0-bench');
  const data = path.join(tmp, 'data');
  const ws = path.join(tmp, 'ws');
  for (const d of [path.join(ext, 'out'), path.join(data, 'User'), ws, path.join(tmp, 'exts')]) mkdirSync(d, { recursive: true });
  cpSync(path.join(REPO, 'package.json'), path.join(ext, 'package.json'));
  for (const d of ['media', 'resources']) if (existsSync(path.join(REPO, d))) cpSync(path.join(REPO, d), path.join(ext, d), { recursive: true });
  cpSync(path.dirname(bundle), path.join(ext, 'out'), { recursive: true });
  writeFileSync(path.join(data, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
  writeFileSync(path.join(tmp, 'config.yaml'), '');

  const env: NodeJS.ProcessEnv = { ...process.env, EXTENSIONS_GALLERY: '{}' };
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_') || k === 'NODE_OPTIONS' || k === 'ELECTRON_RUN_AS_NODE') delete env[k];
  const server = spawn(codeServerPath(), ['--config', path.join(tmp, 'config.yaml'), '--user-data-dir', data,
    '--extensions-dir', path.join(tmp, 'exts'), '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    // Trace level makes the extension host log when it starts an activation and calls activate().
    '--log', 'trace'],
  { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  server.stdout.on('data', (c: Buffer) => { output += c.toString(); });
  server.stderr.on('data', (c: Buffer) => { output += c.toString(); });
  let browser: { close(): Promise<void> } | undefined;
  try {
    const deadline = Date.now() + timeoutMs;
    let port: number | undefined;
    while (!port) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`code-server did not start: ${output.slice(-500)}`);
      port = Number(LISTENING.exec(output)?.[1]) || undefined;
      await sleep(100);
    }
    log(`code-server on 127.0.0.1:${port}; opening the workbench`);
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS,
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    browser = context;
    const page = context.pages()[0] ?? await context.newPage();
    const opened = Date.now();
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
    const entry = page.locator('.part.activitybar li.action-item[role="tab"]:has(a.action-label[aria-label^="Docker Levels"])').first();
    try {
      await entry.waitFor({ state: 'visible', timeout: Math.max(1000, deadline - Date.now()) });
    } catch (err) {
      const labels = await page.locator('.part.activitybar a.action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      throw new Error(`no Docker Levels entry in the activity bar (it shows ${labels.join(', ')}): ${(err as Error).message.split('\n')[0]}`);
    }
    const workbenchReadyMs = Date.now() - opened;
    log(`workbench ready in ${workbenchReadyMs} ms; opening the Docker Levels view`);
    await entry.click();
    for (;;) {
      const logs = filesBelow(path.join(data, 'logs')).filter((f) => f.endsWith('.log'));
      for (const file of logs) {
        const m = ACTIVATED.exec(readFileSync(file, 'utf8'));
        if (!m) continue;
        const host = logs.filter((f) => /exthost\.log$/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
        const starts = HOST_STARTS.exec(host)?.[1];
        const calls = HOST_CALLS.exec(host)?.[1];
        const loadToActivateMs = starts && calls ? logTime(calls) - logTime(starts) : undefined;
        return { activateMs: Number(m[1]), loadToActivateMs, workbenchReadyMs, logFile: path.relative(tmp, file) };
      }
      if (Date.now() > deadline) throw new Error('no "activated in N ms" line in code-server\'s logs');
      await sleep(250);
    }
  } finally {
    await browser?.close().catch(() => undefined);
    if (server.pid) {
      try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
      await sleep(500);
      try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}
