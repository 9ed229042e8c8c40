import { parseArgs } from 'node:util';
import { containersUsingImage, displayText, DockerLevelsError, listLevelImages, resolveDaemonPath, shortRef, terminalSafeJson } from '../../core';
import { CliSession, GLOBAL_OPTIONS } from '../cliContext';

export const imagesHelp = `docker-levels images [PATH] [--json]
  The images of a level (default: the root), with the containers that use each.`;

export async function imagesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...GLOBAL_OPTIONS, json: { type: 'boolean' } } });
  if (positionals.length > 1) throw new DockerLevelsError('badInput', 'images takes at most one PATH, e.g. l1/l2.');
  const session = new CliSession(values);
  try {
    const daemon = await resolveDaemonPath(session.levels, session.root, positionals[0] ?? '');
    const [{ items, leftOut }, containers] = await Promise.all([listLevelImages(daemon), daemon.listContainers(true)]);
    const images = items.map((i) => ({
      id: i.id, tags: i.tags, sizeBytes: i.sizeBytes, created: i.created,
      containers: containersUsingImage(containers, i.id).map((u) => u.name),
    }));
    if (values.json) {
      process.stdout.write(`${terminalSafeJson({ path: daemon.path, images, leftOut }, 2)}\n`);
    } else {
      for (const i of images) {
        process.stdout.write(`${shortRef(i.id)}  ${(i.tags.length ? i.tags.map((t) => displayText(t, 200)).join(', ') : '<untagged>').padEnd(40)}  `
          + `${(i.sizeBytes / 1e6).toFixed(1).padStart(8)} MB${i.containers.length ? `  used by ${i.containers.map((n) => displayText(n, 80)).join(', ')}` : ''}\n`);
      }
      for (const l of leftOut) process.stderr.write(`left out: ${displayText(l, 400)}\n`);
    }
    return 0;
  } finally {
    session.dispose();
  }
}
