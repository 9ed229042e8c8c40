import { parseArgs } from 'node:util';
import { containersUsingVolume, displayText, DockerLevelsError, listLevelVolumes, resolveDaemonPath, terminalSafeJson } from '../../core';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const volumesHelp = `docker-levels volumes [PATH] [--json]
  The volumes of a level (default: the root), with the containers that mount each.`;

export async function volumesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...GLOBAL_OPTIONS, json: { type: 'boolean' } } });
  if (positionals.length > 1) throw new DockerLevelsError('badInput', 'volumes takes at most one PATH, e.g. l1/l2.');
  const session = new CliSession(values);
  try {
    const daemon = await resolveDaemonPath(session.levels, session.root, positionals[0] ?? '');
    const [{ items, leftOut }, containers] = await Promise.all([listLevelVolumes(daemon), daemon.listContainers(true)]);
    const volumes = items.map((v) => ({
      name: v.name, driver: v.driver, mountpoint: v.mountpoint, labels: v.labels,
      containers: containersUsingVolume(containers, v.name).map((u) => u.name),
    }));
    if (values.json) {
      process.stdout.write(`${terminalSafeJson({ path: daemon.path, volumes, leftOut }, 2)}\n`);
    } else {
      for (const v of volumes) {
        process.stdout.write(`${displayText(v.name, 200).padEnd(66)}  ${displayText(v.driver, 40)}`
          + `${v.containers.length ? `  used by ${v.containers.map((n) => displayText(n, 80)).join(', ')}` : ''}\n`);
      }
      for (const l of leftOut) process.stderr.write(`left out: ${displayText(l, 400)}\n`);
    }
    return 0;
  } finally {
    session.dispose();
  }
}
