import { parseArgs } from 'node:util';
import {
  changeProjectState, COMPOSE_SERVICE_LABEL, containerName, displayText, DockerLevelsError, groupByComposeProject, ProjectAction,
  resolveDaemonPath, terminalSafeJson,
} from '../../core';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const composeHelp = `docker-levels compose [PATH] [--json]
docker-levels compose PATH --project NAME start|stop|restart|rm
  The compose projects of a level (containers grouped by com.docker.compose.project), or one
  action on every container of a project.`;

const ACTIONS: Record<string, ProjectAction> = { start: 'start', stop: 'stop', restart: 'restart', rm: 'remove', remove: 'remove' };

export async function composeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, options: { ...GLOBAL_OPTIONS, json: { type: 'boolean' }, project: { type: 'string' } },
  });
  if (positionals.length > 2) throw new DockerLevelsError('badInput', 'compose takes a PATH and, with --project, one action.');
  // With --project, a lone action word means the root: `compose --project web stop`.
  const [pathText, actionWord] = values.project && positionals.length === 1 && ACTIONS[positionals[0]] ? ['', positionals[0]] : positionals;
  if (actionWord !== undefined && !ACTIONS[actionWord]) throw new DockerLevelsError('badInput', `Unknown compose action "${actionWord}".`, 'Use start, stop, restart or rm.');
  if (actionWord !== undefined && !values.project) throw new DockerLevelsError('badInput', `compose ${actionWord} needs --project NAME.`);
  const session = new CliSession(values);
  try {
    const daemon = await resolveDaemonPath(session.levels, session.root, pathText ?? '');
    if (actionWord !== undefined && values.project) {
      const result = await changeProjectState(session.levels, daemon, values.project, ACTIONS[actionWord]);
      process.stderr.write(`${actionWord} ${displayText(values.project, 80)}: ${result.done.map((n) => displayText(n, 80)).join(', ')}\n`);
      return 0;
    }
    const { projects, ungrouped } = groupByComposeProject(await daemon.listContainers(true));
    const shown = projects.map((p) => ({
      name: p.name,
      containers: p.containers.map((c) => ({ id: c.Id, name: containerName(c), service: c.Labels?.[COMPOSE_SERVICE_LABEL] ?? null, state: c.State })),
    }));
    if (values.json) {
      process.stdout.write(`${terminalSafeJson({ path: daemon.path, projects: shown, ungrouped: ungrouped.length }, 2)}\n`);
    } else {
      for (const p of shown) {
        process.stdout.write(`${displayText(p.name, 200)}  (${p.containers.filter((c) => c.state === 'running').length}/${p.containers.length} running)\n`);
        for (const c of p.containers) process.stdout.write(`  ${displayText(c.name, 200).padEnd(30)}  ${displayText(c.service ?? '', 80).padEnd(16)}  ${displayText(c.state, 20)}\n`);
      }
      process.stdout.write(`${ungrouped.length} container(s) in no project\n`);
    }
    return 0;
  } finally {
    session.dispose();
  }
}
