// Stands in for a desktop VS Code executable for @vscode/test-electron's runTests():
// it accepts VS Code's command line, runs code-server (the real Node extension host) on a
// loopback port, opens the workbench in headless chromium with the extension development
// and tests paths as payload, forwards the test output to stdout and exits with the test
// result. Started through the executable `code-server-launcher` beside this file.
//
// Arguments used: --extensionDevelopmentPath (repeatable), --extensionTestsPath,
// --user-data-dir, --extensions-dir (both `--x=v` and `--x v`), and an optional folder.
// Every other argument (--no-sandbox, --disable-updates, …) is accepted and ignored.
//
// Environment:
//   DOCKER_LEVELS_TEST_WORKSPACE  folder to open (default: the folder argument, else a fresh
//                                 temp dir)
//   DOCKER_LEVELS_TEST_TIMEOUT_MS overall timeout (default 15 min)
//   DOCKER_LEVELS_TEST_LOG_DIR    if set, the workbench logs are written there at the end
//   DOCKER_LEVELS_LAUNCHER_DEBUG  =1: echo code-server's output and all browser console lines
//   DOCKER_LEVELS_LAUNCHER_TMPDIR where to make the launcher's temp dir (default os.tmpdir());
//                                 runTests.ts points it into its own per-run dir, which it
//                                 removes even if the launcher gets SIGKILLed
//   DOCKER_LEVELS_CODE_SERVER, DOCKER_LEVELS_TESTENV, DOCKER_LEVELS_CHROMIUM: see codeServer.ts
// The whole environment (DOCKER_HOST, DOCKER_LEVELS_* …) is passed on to code-server and so
// to the extension host, minus VSCODE_*, ELECTRON_RUN_AS_NODE and NODE_OPTIONS.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import type { BrowserContext } from 'playwright-core';
import {
  QUIET_SETTINGS,
  codeServerEnv,
  firstPage,
  launchChromium,
  makeTempDir,
  remoteUri,
  removeDir,
  startCodeServer,
  stripConsoleStyling,
  workbenchUrl,
  writeUserSettings,
  type CodeServer,
} from './codeServer';

/** Must match TEST_LOG_MARKER in test/vscode/suite/testLog.ts. */
const TEST_LOG_MARKER = '[dl-test] ';

interface Args {
  extensionDevelopmentPaths: string[];
  extensionTestsPath?: string;
  userDataDir?: string;
  extensionsDir?: string;
  folder?: string;
  ignored: string[];
}

const VALUE_FLAGS = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir']);

export function parseArgs(argv: string[]): Args {
  const out: Args = { extensionDevelopmentPaths: [], ignored: [] };
  const set = (name: string, value: string): void => {
    const v = path.resolve(value);
    if (name === 'extensionDevelopmentPath') out.extensionDevelopmentPaths.push(v);
    else if (name === 'extensionTestsPath') out.extensionTestsPath = v;
    else if (name === 'user-data-dir') out.userDataDir = v;
    else if (name === 'extensions-dir') out.extensionsDir = v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(a);
    if (m) {
      const [, name, value] = m;
      if (VALUE_FLAGS.has(name)) {
        if (value !== undefined) set(name, value);
        else if (i + 1 < argv.length) set(name, argv[++i]);
      } else {
        out.ignored.push(a);
      }
    } else if (!a.startsWith('-') && !out.folder && existsSync(a) && statSync(a).isDirectory()) {
      out.folder = path.resolve(a);
    } else {
      out.ignored.push(a);
    }
  }
  return out;
}

const log = (msg: string): void => {
  process.stdout.write(`[launcher] ${msg}\n`);
};

async function main(): Promise<number> {
  const started = Date.now();
  const args = parseArgs(process.argv.slice(2));
  const debug = process.env.DOCKER_LEVELS_LAUNCHER_DEBUG === '1';
  if (args.extensionDevelopmentPaths.length === 0 || !args.extensionTestsPath) {
    process.stderr.write('[launcher] needs --extensionDevelopmentPath=… and --extensionTestsPath=…\n');
    return 2;
  }
  if (!existsSync(args.extensionTestsPath) && !existsSync(args.extensionTestsPath + '.js')) {
    process.stderr.write(`[launcher] extensionTestsPath ${args.extensionTestsPath} does not exist (did you build?)\n`);
    return 2;
  }
  const timeoutMs = Number(process.env.DOCKER_LEVELS_TEST_TIMEOUT_MS) || 15 * 60_000;

  // Everything temporary lives under one dir, removed on every path out.
  const tmp = makeTempDir('docker-levels-launcher-', process.env.DOCKER_LEVELS_LAUNCHER_TMPDIR);
  const userDataDir = args.userDataDir ?? path.join(tmp, 'user-data');
  const extensionsDir = args.extensionsDir ?? path.join(tmp, 'extensions');
  let folder = process.env.DOCKER_LEVELS_TEST_WORKSPACE ? path.resolve(process.env.DOCKER_LEVELS_TEST_WORKSPACE) : args.folder;
  if (!folder) {
    folder = path.join(tmp, 'workspace');
    mkdirSync(folder);
  }

  let showRecent = (): void => undefined;
  let server: CodeServer | undefined;
  let context: BrowserContext | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      // Browser and code-server go down in parallel: a second Ctrl-C makes runTests SIGKILL
      // us soon after the first.
      const ctx = context;
      context = undefined;
      await Promise.all([
        ctx ? Promise.race([ctx.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]) : undefined,
        server?.stop(),
      ]);
      removeDir(tmp);
    })();
    return cleaning;
  };

  let done = false;
  let resolveResult!: (code: number) => void;
  const result = new Promise<number>((resolve) => (resolveResult = resolve));
  const finish = (code: number): void => {
    if (done) return;
    done = true;
    resolveResult(code);
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`received ${sig}, shutting down`);
    finish(sig === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  const timer = setTimeout(() => {
    log(`timed out after ${Math.round(timeoutMs / 1000)} s`);
    finish(124);
  }, timeoutMs);

  const run = async (): Promise<void> => {
    writeUserSettings(userDataDir, QUIET_SETTINGS);
    server = await startCodeServer({
      userDataDir,
      extensionsDir,
      configDir: tmp,
      env: codeServerEnv(),
      echo: debug ? process.stderr : undefined,
    });
    const port = server.port;
    log(`code-server listening on 127.0.0.1:${port} (pid ${server.pid}) after ${Date.now() - started} ms`);
    void server.exited.then((code) => {
      if (done) return;
      log(`code-server exited early (${code}); its output:\n${server?.log() ?? ''}`);
      finish(1);
    });

    context = await launchChromium(path.join(tmp, 'chromium-profile'));
    const page = await firstPage(context);
    let logs: Array<{ relativePath: string; contents: string }> = [];
    // In a test run the extension host's console reaches the workbench's log service, and
    // the smoke-test driver hands every log message to codeAutomationLog(level, args). The
    // suite (test/vscode/suite/testLog.ts) marks the test log's lines with TEST_LOG_MARKER;
    // everything else is workbench chatter and extension console output: shown with
    // DOCKER_LEVELS_LAUNCHER_DEBUG=1, and its tail is shown when the run fails.
    const recent: string[] = [];
    await page.exposeFunction('codeAutomationLog', (level: string, logArgs: unknown) => {
      const text = Array.isArray(logArgs) ? format(...(logArgs as unknown[])) : String(logArgs);
      if (text.startsWith(TEST_LOG_MARKER)) {
        process.stdout.write(text.slice(TEST_LOG_MARKER.length) + '\n');
        return;
      }
      recent.push(`[workbench ${level}] ${text}`);
      if (recent.length > 80) recent.shift();
      if (debug) process.stderr.write(`[workbench ${level}] ${text}\n`);
    });
    showRecent = () => {
      if (debug || recent.length === 0) return;
      process.stderr.write(`[launcher] the run failed; the last ${recent.length} workbench log lines (DOCKER_LEVELS_LAUNCHER_DEBUG=1 shows all):\n`);
      for (const line of recent) process.stderr.write(line + '\n');
    };
    await page.exposeFunction('codeAutomationExit', (code: number, workbenchLogs?: typeof logs) => {
      logs = Array.isArray(workbenchLogs) ? workbenchLogs : [];
      writeLogs(logs);
      log(`tests finished with exit code ${code} after ${Math.round((Date.now() - started) / 1000)} s`);
      finish(typeof code === 'number' ? code : 1);
    });
    // Debugging aids: the browser console, page errors, failed requests.
    if (debug) {
      page.on('console', (msg) => process.stderr.write(`[browser ${msg.type()}] ${stripConsoleStyling(msg.text(), msg.args().length)}\n`));
      page.on('pageerror', (err) => process.stderr.write(`[browser pageerror] ${err.message}\n`));
      page.on('requestfailed', (req) => process.stderr.write(`[browser requestfailed] ${req.url()} ${req.failure()?.errorText ?? ''}\n`));
    }
    page.on('crash', () => {
      log('the workbench page crashed');
      finish(1);
    });
    context.on('close', () => finish(1));

    const payload: Array<[string, string]> = [
      ...args.extensionDevelopmentPaths.map((p): [string, string] => ['extensionDevelopmentPath', remoteUri(port, p)]),
      ['extensionTestsPath', remoteUri(port, args.extensionTestsPath!)],
    ];
    const url = workbenchUrl(port, folder!, payload);
    if (debug) log(`opening ${url}`);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    log(`workbench loading (folder ${folder})`);
  };

  const writeLogs = (logs: Array<{ relativePath: string; contents: string }>): void => {
    const dir = process.env.DOCKER_LEVELS_TEST_LOG_DIR;
    if (!dir) return;
    try {
      for (const l of logs) {
        const file = path.join(dir, l.relativePath);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, l.contents);
      }
      if (server) writeFileSync(path.join(dir, 'code-server.log'), server.log());
    } catch (err) {
      log(`could not write logs to ${dir}: ${String(err)}`);
    }
  };

  run().catch((err: unknown) => {
    if (done) return; // e.g. a goto cut short by the timeout or a signal
    log(`failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    finish(1);
  });

  const code = await result;
  clearTimeout(timer);
  if (code !== 0) showRecent();
  await cleanup();
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[launcher] ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
