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
  /** Per window load: what the extension's own log line says activate() took. */
  activateMs: number[];
  /**
   * Per window load: from the extension host starting the activation ("_doActivateExtension"
   * trace line) to calling activate() ("_callActivateOptional"): loading the bundle and the
   * extension context. The host runs other extensions' work on the same thread meanwhile.
   */
  loadToActivateMs: number[];
  /** Per window load: from loading the page to the activity-bar entry being clickable. */
  workbenchReadyMs: number[];
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
/** What one extension host (one window load) logged: ext host folder → activation figures. */
function activationsLogged(logsDir: string): Map<string, { activateMs: number; loadToActivateMs?: number }> {
  const byHost = new Map<string, { activateMs: number; loadToActivateMs?: number }>();
  const files = filesBelow(logsDir).filter((f) => f.endsWith('.log'));
  for (const file of files) {
    const m = ACTIVATED.exec(readFileSync(file, 'utf8'));
    const hostDir = /^(.*\/exthost\d+)\//.exec(file)?.[1];
    if (!m || !hostDir) continue;
    const host = files.filter((f) => f.startsWith(`${hostDir}/`) && /exthost\.log$/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
    const starts = HOST_STARTS.exec(host)?.[1];
    const calls = HOST_CALLS.exec(host)?.[1];
    byHost.set(hostDir, { activateMs: Number(m[1]), loadToActivateMs: starts && calls ? logTime(calls) - logTime(starts) : undefined });
  }
  return byHost;
}

/**
 * Measures activation of `bundle` (an extension.js) with the repo's package.json and media,
 * over `rounds` window loads (each reload gets a fresh extension host).
 */
export async function measureActivation(bundle: string, log: (m: string) => void, rounds = 3): Promise<Activation> {
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

  // VS Code leaves IPC sockets and caches in TMPDIR: inside tmp, removed with it.
  mkdirSync(path.join(tmp, 't'));
  const env: NodeJS.ProcessEnv = { ...process.env, EXTENSIONS_GALLERY: '{}', TMPDIR: path.join(tmp, 't') };
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
    const deadline = Date.now() + 60_000 + rounds * 50_000;
    let port: number | undefined;
    while (!port) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`code-server did not start: ${output.slice(-500)}`);
      port = Number(LISTENING.exec(output)?.[1]) || undefined;
      await sleep(100);
    }
    log(`code-server on 127.0.0.1:${port}; loading the workbench ${rounds} times`);
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS,
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
    browser = context;
    const page = context.pages()[0] ?? await context.newPage();
    const entry = page.locator('.part.activitybar li.action-item[role="tab"]:has(a.action-label[aria-label^="Docker Levels"])').first();
    const workbenchReadyMs: number[] = [];
    const logsDir = path.join(data, 'logs');
    for (let round = 0; round < rounds; round++) {
      const opened = Date.now();
      if (round === 0) await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`); else await page.reload();
      try {
        await entry.waitFor({ state: 'visible', timeout: Math.max(1000, deadline - Date.now()) });
      } catch (err) {
        const labels = await page.locator('.part.activitybar a.action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
        throw new Error(`no Docker Levels entry in the activity bar (it shows ${labels.join(', ')}): ${(err as Error).message.split('\n')[0]}`);
      }
      workbenchReadyMs.push(Date.now() - opened);
      // After a reload the view is restored open and activates the extension by itself;
      // clicking its entry then would close the side bar.
      const shown = Date.now();
      let clicked = false;
      while (activationsLogged(logsDir).size <= round) {
        if (!clicked && Date.now() - shown > 5_000) {
          await entry.click();
          clicked = true;
        }
        if (Date.now() > deadline) throw new Error(`no "activated in N ms" line for window load ${round + 1} in code-server's logs`);
        await sleep(250);
      }
    }
    const found = [...activationsLogged(logsDir).values()];
    return {
      activateMs: found.map((a) => a.activateMs),
      loadToActivateMs: found.flatMap((a) => (a.loadToActivateMs === undefined ? [] : [a.loadToActivateMs])),
      workbenchReadyMs,
    };
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
