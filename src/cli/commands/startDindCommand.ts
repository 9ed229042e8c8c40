import { parseArgs } from 'node:util';
import { DockerLevelsError, LevelMode, resolveDaemonPath, startLevel } from '../../core';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const startDindHelp = `docker-levels start-dind [--parent PATH] [--image IMG] [--name N] [--mode auto|tls|tunnel|plain] [--no-pull] [--no-publish]
  Starts a new nested level on the daemon at PATH (default: the root) and prints its path.
  auto (the default) is TLS where the image supports it, else the exec tunnel; plain listens without TLS.`;

const MODES: LevelMode[] = ['auto', 'tls', 'tunnel', 'plain'];

export async function startDindCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...GLOBAL_OPTIONS, parent: { type: 'string' }, image: { type: 'string' }, name: { type: 'string' },
      mode: { type: 'string' }, 'no-pull': { type: 'boolean' }, 'no-publish': { type: 'boolean' },
    },
  });
  const mode = (values.mode ?? 'auto') as LevelMode;
  if (!MODES.includes(mode)) throw new DockerLevelsError('badInput', `--mode "${values.mode}" is not one of ${MODES.join(', ')}.`);
  const session = new CliSession(values);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const parent = await resolveDaemonPath(session.levels, session.root, values.parent ?? '');
    const started = await startLevel(session.levels, parent, {
      image: values.image, name: values.name, mode, pull: !values['no-pull'], publish: !values['no-publish'],
      signal: controller.signal, onProgress: (m) => process.stderr.write(`${m}\n`),
    });
    process.stderr.write(`level ready in ${started.readyMs} ms (${started.mode}, ${started.privilege}, image ${started.imageSource}, ${started.level.transport.kind} ${started.level.transport.address})\n`);
    process.stdout.write(`${started.level.path}\n`);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    session.dispose();
  }
}
