import { parseArgs } from 'node:util';
import { displayText, DockerLevelsError, parsePortSpec, PortForward, resolveContainerPath } from '../../core';
import { CliSession, GLOBAL_OPTIONS, stderrLogger } from '../cliContext';

export const portForwardHelp = `docker-levels port-forward PATH [LOCAL:]PORT
  Makes port PORT of container PATH (at any depth) reachable on 127.0.0.1:LOCAL (a free port
  when LOCAL is left out or 0) and prints 127.0.0.1:N as its first line. Every connection is
  relayed from the dind container of the container's level. Runs until Ctrl-C or SIGTERM.`;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function portForwardCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...GLOBAL_OPTIONS } });
  if (positionals.length !== 2) throw new DockerLevelsError('badInput', 'port-forward needs PATH and [LOCAL:]PORT, e.g. port-forward l1/l2/web 8080:80.');
  const spec = parsePortSpec(positionals[1]);
  const log = stderrLogger(!!values.verbose);
  const session = new CliSession(values);
  try {
    const { daemon, container } = await resolveContainerPath(session.levels, session.root, positionals[0]);
    const forward = await PortForward.start({ daemon, containerId: container.Id, port: spec.port, localPort: spec.localPort, log });
    // Each kind of failure once: the first connection's error says what is wrong.
    const said = new Set<string>();
    forward.onDidFailConnection((error) => {
      if (said.has(error.message)) return;
      said.add(error.message);
      process.stderr.write(`docker-levels: ${displayText(error.userMessage, 2000)}\n`);
    });
    process.stdout.write(`${forward.address}\n`);
    process.stderr.write(`docker-levels: forwarding ${displayText(forward.describe(), 300)} on ${forward.address} (pid ${process.pid}); Ctrl-C stops.\n`);
    const why = await untilStopRequested(forward);
    await forward.stop();
    if (why === 'gone') {
      process.stderr.write(`docker-levels: ${displayText(forward.stopReason?.userMessage ?? 'the forward stopped.', 2000)}\n`);
      return 1;
    }
    return 0;
  } finally {
    session.dispose();
  }
}

/** Resolves on a stop signal, or when the forward stops by itself (its container or level went). */
function untilStopRequested(forward: PortForward): Promise<'signal' | 'gone'> {
  return new Promise((resolve) => {
    const done = (why: 'signal' | 'gone') => {
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
      stopped.dispose();
      resolve(why);
    };
    // Once this handler is gone, a second Ctrl-C while stopping ends the process at once.
    const onSignal = () => done('signal');
    for (const s of STOP_SIGNALS) process.once(s, onSignal);
    const stopped = forward.onDidStop(() => done('gone'));
  });
}
