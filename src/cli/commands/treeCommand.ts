import { parseArgs } from 'node:util';
import { DockerLevelsError, snapshotDaemon, type DaemonSnapshot } from '../../core';
import { displayText, terminalSafeJson } from '../../core/untrusted/displayText';
import { DEFAULT_MAX_DEPTH } from '../../core/untrusted/limits';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const treeHelp = `docker-levels tree [--json] [--depth N] [--running] [--host URL]
  Every root daemon and, recursively, every level below it (--depth defaults to ${DEFAULT_MAX_DEPTH}).`;

export async function treeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, json: { type: 'boolean' }, depth: { type: 'string' }, running: { type: 'boolean' } } });
  const depth = values.depth === undefined ? DEFAULT_MAX_DEPTH : Number(values.depth);
  if (!(Number.isInteger(depth) && depth >= 0)) throw new DockerLevelsError('badInput', `--depth "${values.depth}" is not a number of levels.`);
  const session = new CliSession(values);
  try {
    const daemons = await Promise.all(session.levels.roots().map((r) => snapshotDaemon(session.levels, r, { depth, all: !values.running })));
    if (values.json) {
      process.stdout.write(`${terminalSafeJson({ daemons }, 2)}\n`);
    } else {
      for (const d of daemons) process.stdout.write(renderTree(d, session.endpoints.find((e) => !d.path)?.label ?? 'local'));
    }
    return daemons.some((d) => d.error) ? 1 : 0;
  } finally {
    session.dispose();
  }
}

/** Text tree, like `tree(1)`: one line per container, levels indented below their container. */
export function renderTree(daemon: DaemonSnapshot, label: string): string {
  // Names, images, states and errors come from daemons: data, never terminal control.
  const t = (v: unknown) => displayText(v);
  const head = `${t(label)}  ${t(daemon.name ?? '?')}  ${daemon.serverVersion ? `engine ${t(daemon.serverVersion)}` : ''}  [${daemon.transport}]`;
  const lines = [daemon.error ? `${head}\n  ! ${t(daemon.error)}` : head];
  const walk = (d: DaemonSnapshot, indent: string) => {
    d.containers.forEach((c, i) => {
      const last = i === d.containers.length - 1;
      lines.push(`${indent}${last ? '└─' : '├─'} ${t(c.name)}  ${t(c.shortId)}  ${t(c.image)}  ${t(c.state)}`
        + (c.level ? `  ⇒ level ${c.level.depth}${c.level.name ? ` (${t(c.level.name)})` : ''} [${c.level.transport}]` : ''));
      const childIndent = indent + (last ? '   ' : '│  ');
      if (c.level?.error) lines.push(`${childIndent}! ${t(c.level.error)}`);
      if (c.level) walk(c.level, childIndent);
    });
  };
  walk(daemon, '');
  return `${lines.join('\n')}\n`;
}
