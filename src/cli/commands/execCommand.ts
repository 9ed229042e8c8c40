import { parseArgs } from 'node:util';
import { DockerLevelsError, openExecSession, resolveContainerPath } from '../../core';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const execHelp = `docker-levels exec PATH [-i] [-t] -- CMD...   run a command; its exit code is passed through
docker-levels shell PATH                       an interactive shell (bash, else sh) with a TTY`;

export async function execCommand(argv: string[], shell = false): Promise<number> {
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const { values, positionals } = parseArgs({
    args: own, allowPositionals: true,
    options: { ...GLOBAL_OPTIONS, interactive: { type: 'boolean', short: 'i' }, tty: { type: 'boolean', short: 't' } },
  });
  let cmd = dash >= 0 ? argv.slice(dash + 1) : positionals.slice(1);
  if (positionals.length < 1) throw new DockerLevelsError('badInput', `${shell ? 'shell' : 'exec'} needs a PATH, e.g. l1/l2/l3/web.`);
  if (shell) cmd = ['sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];
  if (cmd.length === 0) throw new DockerLevelsError('badInput', 'exec needs a command after --, e.g. exec l1/web -- hostname.');
  const tty = shell || (!!values.tty && process.stdin.isTTY);
  const interactive = shell || !!values.interactive;
  const session = new CliSession(values);
  try {
    const { daemon, container } = await resolveContainerPath(session.levels, session.root, positionals[0]);
    const exec = await openExecSession(daemon, container.Id, {
      cmd, tty, stdin: interactive, cols: process.stdout.columns, rows: process.stdout.rows,
    });
    exec.stdout.pipe(process.stdout, { end: false });
    exec.stderr.pipe(process.stderr, { end: false });
    const restore = wireInput(interactive, tty, exec);
    const onResize = () => void exec.resize(process.stdout.columns, process.stdout.rows).catch(() => undefined);
    if (tty) process.stdout.on('resize', onResize);
    try {
      return await exec.exitCode;
    } finally {
      process.stdout.off('resize', onResize);
      restore();
      exec.dispose();
    }
  } finally {
    session.dispose();
  }
}

function wireInput(interactive: boolean, tty: boolean, exec: { stdin: NodeJS.WritableStream }): () => void {
  if (!interactive) {
    exec.stdin.end();
    return () => undefined;
  }
  const raw = tty && process.stdin.isTTY;
  if (raw) process.stdin.setRawMode(true);
  process.stdin.pipe(exec.stdin);
  return () => {
    process.stdin.unpipe(exec.stdin);
    if (raw) process.stdin.setRawMode(false);
    process.stdin.pause();
  };
}
