import { parseArgs } from 'node:util';
import { DEFAULT_WALK_DEPTH, displayText, DockerLevelsError, snapshotDaemon, terminalSafeJson, type DaemonSnapshot } from '../../core';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const treeHelp = `docker-levels tree [--json] [--depth N] [--running] [--host URL]
  Every root daemon and, recursively, every level below it.`;

export async function treeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, json: { type: 'boolean' }, depth: { type: 'string' }, running: { type: 'boolean' } } });
  const depth = values.depth === undefined ? DEFAULT_WALK_DEPTH : Number(values.depth);
  if (!(depth >= 0)) throw new DockerLevelsError('badInput', `--depth "${values.depth}" is not a number of levels.`);
  const session = new CliSession(values);
  try {
    const roots = session.levels.roots();
    const daemons = await Promise.all(roots.map((r) => snapshotDaemon(session.levels, r, { depth, all: !values.running, health: true })));
    if (values.json) {
      process.stdout.write(`${terminalSafeJson({ daemons }, 2)}\n`);
    } else {
      daemons.forEach((d, i) => process.stdout.write(renderTree(d, roots[i].root.label)));
    }
    return daemons.some((d) => d.error) ? 1 : 0;
  } finally {
    session.dispose();
  }
}

/** Text tree, like `tree(1)`: one line per container, levels indented below their container. */
export function renderTree(daemon: DaemonSnapshot, label: string): string {
  // Every string here but the labels came from a daemon: shown as data, never as control.
  const t = (v: unknown) => displayText(v);
  const head = `${t(label)}  ${daemon.name === null ? '?' : t(daemon.name)}  ${daemon.serverVersion ? `engine ${t(daemon.serverVersion)}` : ''}  [${t(daemon.transport)}]`;
  const lines = [daemon.error ? `${head}\n  ! ${t(daemon.error)}` : head];
  const walk = (d: DaemonSnapshot, indent: string) => {
    d.containers.forEach((c, i) => {
      const last = i === d.containers.length - 1;
      lines.push(`${indent}${last ? '└─' : '├─'} ${t(c.name)}  ${t(c.shortId)}  ${t(c.image)}  ${t(c.state)}`
        + (c.level ? `  ⇒ level ${c.level.depth}${c.level.name ? ` (${t(c.level.name)})` : ''} [${t(c.level.transport)}]` : ''));
      const childIndent = indent + (last ? '   ' : '│  ');
      if (c.level?.error) lines.push(`${childIndent}! ${t(c.level.error)}`);
      for (const l of c.level?.daemonLog ?? []) lines.push(`${childIndent}| ${t(l)}`);
      for (const w of c.level?.health?.warnings ?? []) lines.push(`${childIndent}! ${displayText(w, 2000)}`);
      if (c.level) walk(c.level, childIndent);
    });
  };
  walk(daemon, '');
  return `${lines.join('\n')}\n`;
}
