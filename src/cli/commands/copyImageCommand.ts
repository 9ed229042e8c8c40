import { parseArgs } from 'node:util';
import { copyImage, DockerLevelsError, resolveDaemonPath } from '../../core';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const copyImageHelp = `docker-levels copy-image IMAGE --to PATH [--from PATH]
  Streams IMAGE from one level (default: the root) to another, with progress in bytes.`;

export async function copyImageCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...GLOBAL_OPTIONS, to: { type: 'string' }, from: { type: 'string' } } });
  if (positionals.length !== 1) throw new DockerLevelsError('badInput', 'copy-image takes one IMAGE.');
  if (values.to === undefined) throw new DockerLevelsError('badInput', 'copy-image needs --to PATH.');
  const session = new CliSession(values);
  try {
    const from = await resolveDaemonPath(session.levels, session.root, values.from ?? '');
    const to = await resolveDaemonPath(session.levels, session.root, values.to);
    const { bytes } = await copyImage(from, to, positionals[0], {
      onProgress: (b) => process.stderr.write(`\r${(b / 1e6).toFixed(1)} MB`),
    });
    process.stderr.write(`\rcopied ${positionals[0]}: ${bytes} bytes\n`);
    return 0;
  } finally {
    session.dispose();
  }
}
