import { parseArgs } from 'node:util';
import { DockerLevelsError, resolveContainerPath, traceLineage } from '../../core';
import { displayText as t, terminalSafeJson } from '../../core/untrusted/displayText';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const lineageHelp = `docker-levels lineage PATH [--json]
  How the container ID changes level by level, proved live with \`hostname\` through exec.`;

export async function lineageCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...GLOBAL_OPTIONS, json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new DockerLevelsError('badInput', 'lineage takes one PATH, e.g. l1/l2/l3/web.');
  const session = new CliSession(values);
  try {
    const { daemon, container } = await resolveContainerPath(session.levels, session.root, positionals[0]);
    const lineage = await traceLineage(daemon, container.Id);
    if (values.json) {
      const levels = lineage.levels.map(({ depth, daemonName, containerId, shortId, hostnameInside, matches }) =>
        ({ depth, daemonName, containerId, shortId, hostnameInside, matches }));
      process.stdout.write(`${terminalSafeJson({ levels }, 2)}\n`);
    } else {
      for (const l of lineage.levels) {
        // Daemon names, container names and hostnames are data, never terminal control.
        process.stdout.write(`L${l.depth}  daemon ${t(l.daemonName).padEnd(14)} ${t(l.containerName).padEnd(22)} id ${t(l.shortId)}  hostname ${t(l.hostnameInside ?? '?')}  ${l.matches ? 'matches' : 'DIFFERS'}${l.error ? `  (${t(l.error)})` : ''}\n`);
      }
    }
    return 0;
  } finally {
    session.dispose();
  }
}
