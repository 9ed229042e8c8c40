import { classifyError, displayText } from '../core';
import { copyImageCommand, copyImageHelp } from './commands/copyImageCommand';
import { cpCommand, cpHelp } from './commands/cpCommand';
import { envCommand, envHelp } from './commands/envCommand';
import { execCommand, execHelp } from './commands/execCommand';
import { forwardCommand, forwardHelp } from './commands/forwardCommand';
import { lineageCommand, lineageHelp } from './commands/lineageCommand';
import { portForwardCommand, portForwardHelp } from './commands/portForwardCommand';
import { startDindCommand, startDindHelp } from './commands/startDindCommand';
import { treeCommand, treeHelp } from './commands/treeCommand';
import { imagesCommand, imagesHelp } from './commands/imagesCommand';
import { volumesCommand, volumesHelp } from './commands/volumesCommand';
import { networksCommand, networksHelp } from './commands/networksCommand';
import { composeCommand, composeHelp } from './commands/composeCommand';
import { dfCommand, dfHelp } from './commands/dfCommand';
import { pruneCommand, pruneHelp } from './commands/pruneCommand';

const HELP = `docker-levels: every nested Docker level, from the command line.

${treeHelp}
${lineageHelp}
${startDindHelp}
${execHelp}
${copyImageHelp}
${forwardHelp}
${envHelp}
${cpHelp}
${imagesHelp}
${volumesHelp}
${networksHelp}
${composeHelp}
${portForwardHelp}
${dfHelp}
${pruneHelp}

Global options: --host URL (a root daemon instead of the local one: unix://, tcp://, ssh://),
--host-command 'CMD ARG…' (a root reached through a program that speaks the API on stdin/stdout,
e.g. 'docker exec -i dind docker system dial-stdio'; split into words, no shell), --timeout MS (per call,
default 10000), --transport published,bridge,tls,tunnel (order to try), -v/--verbose.
PATH is a chain of container names or ID prefixes from the root, e.g. l1/l2/l3/web.`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  tree: treeCommand,
  lineage: lineageCommand,
  'start-dind': startDindCommand,
  exec: (argv) => execCommand(argv),
  shell: (argv) => execCommand(argv, true),
  'copy-image': copyImageCommand,
  forward: forwardCommand,
  env: envCommand,
  cp: cpCommand,
  images: imagesCommand,
  volumes: volumesCommand,
  networks: networksCommand,
  compose: composeCommand,
  'port-forward': portForwardCommand,
  df: dfCommand,
  prune: pruneCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`docker-levels: unknown command "${name}". Run docker-levels --help.\n`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    const e = classifyError(err);
    // Messages carry daemon text (names, the daemon's own errors): shown as data.
    process.stderr.write(`docker-levels: ${displayText(e.userMessage, 4000)}\n`);
    return e.kind === 'badInput' ? 2 : 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (err: unknown) => {
  process.stderr.write(`docker-levels: ${displayText(String(err), 4000)}\n`);
  process.exitCode = 1;
});
