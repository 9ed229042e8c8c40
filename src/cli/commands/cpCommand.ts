import { parseArgs } from 'node:util';
import {
  copyArchiveIn, copyArchiveOut, copyBetweenContainers, copyFromContainer, copyToContainer, displayText, DockerLevelsError, resolveContainerPath,
} from '../../core';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const cpHelp = `docker-levels cp PATH:SRC DEST|-              copy out of a container at any depth (- = a tar on stdout)
docker-levels cp SRC|- PATH:DEST              copy into it (- = a tar on stdin, extracted into the directory DEST)
docker-levels cp PATH:SRC PATH:DEST           copy between two containers, at any depths (streamed)`;

interface Remote { container: string; path: string }

/** docker cp's rule: an absolute path, or one whose part before ":" starts with ".", is local. */
export function splitCpArgument(arg: string): Remote | undefined {
  if (arg.startsWith('/')) return undefined;
  const i = arg.indexOf(':');
  if (i <= 0 || arg.startsWith('.')) return undefined;
  return { container: arg.slice(0, i), path: arg.slice(i + 1) || '/' };
}

export async function cpCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...GLOBAL_OPTIONS } });
  if (positionals.length !== 2) throw new DockerLevelsError('badInput', 'cp needs SRC and DEST, e.g. cp l1/l2/web:/etc/hostname . or cp ./f l1/web:/tmp/.');
  const [srcArg, destArg] = positionals;
  const src = srcArg === '-' ? undefined : splitCpArgument(srcArg);
  const dest = destArg === '-' ? undefined : splitCpArgument(destArg);
  if (!src && !dest) throw new DockerLevelsError('badInput', 'One of SRC and DEST must be PATH:FILE in a container, e.g. l1/l2/web:/etc/hostname.');
  const remote = (src ?? dest)!;
  const session = new CliSession(values);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const { daemon, container } = await resolveContainerPath(session.levels, session.root, remote.container, controller.signal);
    const options = {
      signal: controller.signal,
      onSkippedLink: (name: string) => process.stderr.write(`docker-levels: left out the symlink ${displayText(name)}: it points outside the destination\n`),
    };
    if (src && dest) {
      const target = await resolveContainerPath(session.levels, session.root, dest.container, controller.signal);
      await copyBetweenContainers({ daemon, containerId: container.Id }, src.path, { daemon: target.daemon, containerId: target.container.Id }, dest.path, options);
    } else if (src) {
      if (destArg === '-') await copyArchiveOut(daemon, container.Id, src.path, process.stdout, options);
      else await copyFromContainer(daemon, container.Id, src.path, destArg, options);
    } else if (srcArg === '-') {
      await copyArchiveIn(daemon, container.Id, process.stdin, dest!.path, options);
    } else {
      await copyToContainer(daemon, container.Id, srcArg, dest!.path, options);
    }
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    session.dispose();
  }
}
