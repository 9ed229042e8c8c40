import { parseArgs } from 'node:util';
import { containersOnNetwork, displayText, DockerLevelsError, listLevelNetworks, resolveDaemonPath, terminalSafeJson } from '../../core';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const networksHelp = `docker-levels networks [PATH] [--json]
  The networks of a level (default: the root), with the containers attached to each.`;

export async function networksCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...GLOBAL_OPTIONS, json: { type: 'boolean' } } });
  if (positionals.length > 1) throw new DockerLevelsError('badInput', 'networks takes at most one PATH, e.g. l1/l2.');
  const session = new CliSession(values);
  try {
    const daemon = await resolveDaemonPath(session.levels, session.root, positionals[0] ?? '');
    const [{ items, leftOut }, containers] = await Promise.all([listLevelNetworks(daemon), daemon.listContainers(true)]);
    const networks = items.map((n) => ({
      id: n.id, name: n.name, driver: n.driver, scope: n.scope, internal: n.internal,
      containers: containersOnNetwork(containers, n).map((u) => u.name),
    }));
    if (values.json) {
      process.stdout.write(`${terminalSafeJson({ path: daemon.path, networks, leftOut }, 2)}\n`);
    } else {
      for (const n of networks) {
        process.stdout.write(`${n.id.slice(0, 12)}  ${displayText(n.name, 200).padEnd(24)}  ${displayText(n.driver, 40).padEnd(8)}`
          + `${n.containers.length ? `  ${n.containers.map((c) => displayText(c, 80)).join(', ')}` : ''}\n`);
      }
      for (const l of leftOut) process.stderr.write(`left out: ${displayText(l, 400)}\n`);
    }
    return 0;
  } finally {
    session.dispose();
  }
}
