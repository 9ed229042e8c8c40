import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import {
  DockerLevelsError, ForwarderRecord, ForwarderRegistry, isProcessAlive, parseLevelPath, resolveDaemonPath,
} from '../../core';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const envHelp = `docker-levels env PATH
  Prints "export DOCKER_HOST=…" for the running forwarder of level PATH, starting one in the
  background when none runs: eval "$(docker-levels env l1/l2/l3)" and docker talks to level 3.`;

/** How long a background forwarder may take to open its level and listen. */
const START_WAIT_MS = 120_000;

export async function envCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...GLOBAL_OPTIONS } });
  if (positionals.length !== 1) throw new DockerLevelsError('badInput', 'env needs one PATH, e.g. env l1/l2/l3.');
  const requested = parseLevelPath(positionals[0]).join('/');
  const registry = new ForwarderRegistry();
  const session = new CliSession(values);
  const rootUrl = session.endpoints[0].url;
  try {
    const { record, started } = await registry.withLock(async () => {
      const byText = (await registry.live()).find((r) => r.rootUrl === rootUrl && (r.requested === requested || r.path === requested));
      if (byText) return { record: byText, started: false };
      // The path may name the level differently (ID prefixes): compare resolved level ids.
      const level = await resolveDaemonPath(session.levels, session.root, positionals[0]);
      const byId = (await registry.live()).find((r) => r.levelId === level.id);
      if (byId) return { record: byId, started: false };
      return { record: await startInBackground(registry, level.id, argv), started: true };
    });
    process.stdout.write(`export DOCKER_HOST=${shellQuote(record.dockerHost)}\n`);
    process.stderr.write(`docker-levels: ${started ? 'started a' : 'using the'} forwarder for ${record.path || 'the root daemon'} `
      + `(pid ${record.pid}); stop it with: kill ${record.pid}\n`);
    return 0;
  } finally {
    session.dispose();
  }
}

/**
 * Runs `docker-levels forward` detached (own session, no terminal), with its stderr in a log
 * file beside its record, and waits until it has registered itself.
 */
async function startInBackground(registry: ForwarderRegistry, levelId: string, argv: string[]): Promise<ForwarderRecord> {
  const recordFile = registry.fileFor(levelId);
  const logFile = recordFile.replace(/\.json$/, '.log');
  const logFd = fs.openSync(logFile, 'w', 0o600);
  let exited: string | undefined;
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], 'forward', ...argv], {
    detached: true, stdio: ['ignore', 'ignore', logFd], cwd: '/',
  });
  fs.closeSync(logFd);
  child.once('exit', (code, signal) => { exited = signal ?? `code ${code}`; });
  child.once('error', (err) => { exited = err.message; });
  try {
    const until = Date.now() + START_WAIT_MS;
    for (;;) {
      const record = (await registry.live()).find((r) => r.levelId === levelId && r.pid === child.pid);
      if (record) return record;
      if (exited !== undefined) {
        const why = readTail(logFile).replace(/^docker-levels: /, '');
        throw new DockerLevelsError('unknown', `The background forwarder exited (${exited}): ${why || 'no message'}`);
      }
      if (Date.now() > until) {
        if (child.pid && isProcessAlive(child.pid)) child.kill();
        throw new DockerLevelsError('timeout', `The background forwarder did not start within ${START_WAIT_MS / 1000} s.`, `Its log is ${logFile}.`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    child.unref();
  }
}

function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' ');
  } catch {
    return '';
  }
}

/** Quotes a value for a POSIX shell when it holds anything beyond plain path characters. */
export function shellQuote(value: string): string {
  return /^[\w/:.,@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
