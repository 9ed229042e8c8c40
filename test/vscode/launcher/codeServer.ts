// Shared plumbing for running the real VS Code workbench in code-server, driven by Debian's
// chromium through playwright-core. Used by the @vscode/test-electron launcher
// (code-server-launcher → launcher.ts) and by the browser UI harness (test/ui/harness).
//
// Everything here talks to loopback only. code-server is installed by
// test/vscode/testenv/install.sh (Node 24 + code-server pinned, outside the repo).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const CODE_SERVER_VERSION = '4.139.1';

/** Root of the test environment that test/vscode/testenv/install.sh fills. */
export function testenvRoot(): string {
  return process.env.DOCKER_LEVELS_TESTENV || '/opt/docker-levels-testenv';
}

/** The code-server wrapper (runs code-server on Node 24), or an error telling how to get it. */
export function findCodeServer(): string {
  const candidate = process.env.DOCKER_LEVELS_CODE_SERVER || path.join(testenvRoot(), 'bin', 'code-server');
  if (!existsSync(candidate)) {
    throw new Error(
      `code-server not found at ${candidate}: run \`bash test/vscode/testenv/install.sh\` first ` +
        '(or set DOCKER_LEVELS_CODE_SERVER / DOCKER_LEVELS_TESTENV).',
    );
  }
  return candidate;
}

export function chromiumPath(): string {
  return process.env.DOCKER_LEVELS_CHROMIUM || '/usr/bin/chromium';
}

/** User settings that keep the workbench quiet and deterministic in tests. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'git.autoRepositoryDetection': false,
  'npm.autoDetect': 'off',
  'typescript.tsserver.experimental.enableProjectDiagnostics': false,
  'editor.accessibilitySupport': 'off',
  'accessibility.signals.terminalBell': { sound: 'off' },
};

/**
 * With workspace trust on (StartOptions.workspaceTrust): a folder not trusted opens in
 * Restricted Mode without the startup modal, and says so in the status bar.
 */
export const TRUST_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.emptyWindow': false,
};

/** Merges settings into <userDataDir>/User/settings.json (creating it). */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const dir = path.join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'settings.json');
  let current: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      current = {}; // settings.json may hold comments; tests own this directory anyway
    }
  }
  writeFileSync(file, JSON.stringify({ ...current, ...settings }, null, 2) + '\n');
}

/**
 * The environment for code-server and so for its extension host: everything of ours
 * (DOCKER_LEVELS_*, DOCKER_HOST, PATH, HOME …) except what would confuse code-server.
 */
export function codeServerEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of Object.keys(env)) {
    // Inside a VS Code / code-server terminal these make code-server act as a CLI client of
    // the outer instance; ELECTRON_RUN_AS_NODE and NODE_OPTIONS (e.g. a tsx loader) must not
    // leak into the Node 24 server either.
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE' || key === 'NODE_OPTIONS') {
      delete env[key];
    }
    if (env[key] === undefined) delete env[key];
  }
  // No extension gallery: code-server would otherwise query open-vsx from the server side.
  // An empty gallery configuration disables it (override by setting EXTENSIONS_GALLERY).
  if (env.EXTENSIONS_GALLERY === undefined) env.EXTENSIONS_GALLERY = '{}';
  return env;
}

export interface CodeServer {
  port: number;
  pid: number;
  process: ChildProcess;
  /** Everything code-server printed so far. */
  log(): string;
  /** Resolves with the exit code once the code-server process has exited. */
  exited: Promise<number | null>;
  /** Its own TMPDIR, removed by stop(). */
  tmpDir: string;
  /** Kills the whole code-server process group (TERM, then KILL) and removes tmpDir; idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  userDataDir: string;
  extensionsDir: string;
  /** Directory for config.yaml; created, not removed (the caller owns it). */
  configDir: string;
  extraArgs?: string[];
  /** Workspace trust on (a folder opens in Restricted Mode until trusted); default off. */
  workspaceTrust?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Echo code-server's output to this stream as it arrives (e.g. process.stderr). */
  echo?: NodeJS.WritableStream;
  startTimeoutMs?: number;
}

const LISTENING = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//;

/** Kills a process group: TERM, wait up to graceMs, then KILL. Never throws. */
export async function killProcessGroup(pid: number, graceMs = 3000): Promise<void> {
  const alive = (): boolean => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/**
 * Starts code-server in its own process group (setsid) on a free loopback port and
 * resolves once it listens.
 */
export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  const exe = findCodeServer();
  mkdirSync(opts.configDir, { recursive: true });
  mkdirSync(opts.userDataDir, { recursive: true });
  mkdirSync(opts.extensionsDir, { recursive: true });
  const config = path.join(opts.configDir, 'config.yaml');
  if (!existsSync(config)) writeFileSync(config, '');
  const args = [
    '--config', config,
    '--user-data-dir', opts.userDataDir,
    '--extensions-dir', opts.extensionsDir,
    '--auth', 'none',
    '--bind-addr', '127.0.0.1:0',
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--vscode-option', 'enable-smoke-test-driver',
    ...(opts.extraArgs ?? []),
  ];
  // VS Code leaves IPC sockets and caches in TMPDIR (vscode-ipc-*.sock, vscode-git-*.sock,
  // vscode-typescript*): a short one of its own (socket paths are limited to 108 bytes),
  // removed on stop.
  const scratch = mkdtempSync(path.join(tmpdir(), 'dl-cs-'));
  const child = spawn(exe, args, {
    env: { ...(opts.env ?? codeServerEnv()), TMPDIR: scratch },
    detached: true, // own session and process group: stop() kills the whole tree
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    opts.echo?.write(chunk);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
    child.on('error', (err) => {
      output += `\n[launcher] cannot spawn ${exe}: ${err.message}\n`;
      resolve(127);
    });
  });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    if (!stopped) stopped = (child.pid ? killProcessGroup(child.pid) : Promise.resolve()).then(() => removeDir(scratch));
    return stopped;
  };

  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  const port = await new Promise<number>((resolve, reject) => {
    const check = (): void => {
      const m = LISTENING.exec(output);
      if (m) {
        cleanup();
        resolve(Number(m[1]));
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`code-server did not listen within ${timeoutMs} ms; its output:\n${output}`));
    }, timeoutMs);
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`code-server exited (${code}) before listening; its output:\n${output}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then(onExit);
    check();
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });

  return { port, pid: child.pid!, process: child, log: () => output, exited, stop, tmpDir: scratch };
}

/** Chromium flags that keep the browser off the network and quiet. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Loopback only: every other host name fails to resolve inside the browser, so the
  // workbench cannot reach out (marketplace, CDN, …) even by accident.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

/** Launches headless chromium with a persistent profile in profileDir. */
export async function launchChromium(profileDir: string, opts: { viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
  // Loaded lazily so that merely importing this module does not need playwright-core.
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: opts.viewport ?? { width: 1600, height: 1000 },
    // Chromium keeps crashpad's database and caches under XDG dirs, not the profile: keep
    // them in the profile too, so that nothing lands in $HOME.
    env: {
      ...(process.env as Record<string, string>),
      XDG_CONFIG_HOME: path.join(profileDir, 'xdg-config'),
      XDG_CACHE_HOME: path.join(profileDir, 'xdg-cache'),
    },
    // We install our own signal handlers and always close the browser ourselves.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

export function firstPage(context: BrowserContext): Promise<Page> {
  const pages = context.pages();
  return pages.length > 0 ? Promise.resolve(pages[0]) : context.newPage();
}

/** A `vscode-remote://` URI for an absolute path on the code-server host. */
export function remoteUri(port: number, absPath: string): string {
  const p = path.resolve(absPath).split('/').map(encodeURIComponent).join('/');
  return `vscode-remote://127.0.0.1:${port}${p}`;
}

/** The workbench URL opening `folder`, with an optional extension development/test payload. */
export function workbenchUrl(port: number, folder: string, payload?: Array<[string, string]>): string {
  let url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(path.resolve(folder))}`;
  if (payload && payload.length > 0) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

export function makeTempDir(prefix: string, parent?: string): string {
  const base = parent || tmpdir();
  mkdirSync(base, { recursive: true });
  return mkdtempSync(path.join(base, prefix));
}

export function removeDir(dir: string | undefined): void {
  if (!dir) return;
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    /* best effort */
  }
}

/** Chromium console messages use %c CSS styling; drop it for plain text output. */
export function stripConsoleStyling(text: string, argCount: number): string {
  if (!text.includes('%c')) return text;
  // Console text from playwright joins the format string and its arguments with spaces:
  // remove the %c markers and the trailing CSS arguments.
  let out = text.replace(/%c/g, '');
  const cssTail = /\s+(?:(?:color|font-weight|background|font-style|padding|border)[^;]*;?\s*)+$/;
  for (let i = 0; i < argCount && cssTail.test(out); i++) out = out.replace(cssTail, '');
  return out;
}
