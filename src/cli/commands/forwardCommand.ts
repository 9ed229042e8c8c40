import { parseArgs } from 'node:util';
import {
  DockerLevelsError, ForwarderRegistry, LevelForwarder, parseLevelPath, resolveDaemonPath, type DaemonLevel, type Logger,
} from '../../core';
import { CliSession, GLOBAL_OPTIONS, stderrLogger } from '../cliContext';

export const forwardHelp = `docker-levels forward PATH [--socket FILE]
  Serves the daemon of level PATH on a local unix socket only you can use (mode 0600, in a
  private directory unless --socket) and prints DOCKER_HOST=unix://… as its first line.
  Runs until Ctrl-C or SIGTERM, then removes the socket.`;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function forwardCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...GLOBAL_OPTIONS, socket: { type: 'string' } } });
  if (positionals.length !== 1) throw new DockerLevelsError('badInput', 'forward needs one PATH, e.g. forward l1/l2/l3.');
  const log = stderrLogger(!!values.verbose);
  const session = new CliSession(values);
  try {
    const level = await resolveDaemonPath(session.levels, session.root, positionals[0]);
    const forwarder = await LevelForwarder.start(level, { socketPath: values.socket, log });
    const registry = registerQuietly(forwarder, level, session.endpoints[0].url, positionals[0], log);
    process.stdout.write(`DOCKER_HOST=${forwarder.dockerHost}\n`);
    process.stderr.write(`docker-levels: forwarding ${level.isRoot ? `daemon ${level.root.label}` : `level ${level.path}`} `
      + `over ${level.transport.address} (pid ${process.pid}); Ctrl-C stops.\n`);
    const why = await untilStopRequested(forwarder);
    log.info(`forward: ${why}; stopping`);
    await forwarder.stop();
    registry?.unregister(level.id);
    return why === 'level closed' ? 1 : 0;
  } finally {
    session.dispose();
  }
}

/** The registry lets `docker-levels env` find this forwarder; serving works without it. */
function registerQuietly(forwarder: LevelForwarder, level: DaemonLevel, rootUrl: string, requested: string, log: Logger): ForwarderRegistry | undefined {
  const registry = new ForwarderRegistry();
  try {
    registry.register({
      pid: process.pid, levelId: level.id, rootUrl, path: level.path, requested: parseLevelPath(requested).join('/'),
      socketPath: forwarder.socketPath, dockerHost: forwarder.dockerHost, startedAt: forwarder.startedAt.toISOString(),
    });
    return registry;
  } catch (err) {
    log.warn(`forward: not registered in ${registry.dir} (${(err as Error).message}); docker-levels env will not find it`);
    return undefined;
  }
}

/** Resolves with the reason to stop: a signal, or the level closing under the forwarder. */
function untilStopRequested(forwarder: LevelForwarder): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => {
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
      stopped.dispose();
      resolve(why);
    };
    // Once this handler is gone, a second Ctrl-C while stopping ends the process at once.
    const onSignal = (signal: NodeJS.Signals) => done(signal);
    for (const s of STOP_SIGNALS) process.once(s, onSignal);
    const stopped = forwarder.onDidStop(() => done('level closed'));
  });
}
