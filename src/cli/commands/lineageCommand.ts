import { parseArgs } from 'node:util';
import { displayText, DockerLevelsError, resolveContainerPath, terminalSafeJson, traceLineage } from '../../core';
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
        process.stdout.write(`L${l.depth}  daemon ${displayText(l.daemonName).padEnd(14)} ${displayText(l.containerName).padEnd(22)} id ${displayText(l.shortId)}  hostname ${l.hostnameInside === undefined || l.hostnameInside === null ? '?' : displayText(l.hostnameInside)}  ${l.matches ? 'matches' : 'DIFFERS'}${l.error ? `  (${displayText(l.error)})` : ''}\n`);
      }
    }
    return 0;
  } finally {
    session.dispose();
  }
}
