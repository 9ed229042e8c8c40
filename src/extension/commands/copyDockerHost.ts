import * as vscode from 'vscode';
import { DockerLevelsError } from '../../core';
import { DaemonNode } from '../tree/nodes/DaemonNode';
import { LevelNode } from '../tree/nodes/LevelNode';
import type { CommandSpec } from './commandContext';
import { daemonArgument } from './nodeArguments';

/** Copies a DOCKER_HOST value or a `docker -H …` line for a level that has a TCP route. */
export const copyDockerHostCommand: CommandSpec = {
  id: 'docker-levels.copyDockerHost',
  async run(ctx, arg) {
    const target = await daemonArgument(ctx, arg instanceof LevelNode || arg instanceof DaemonNode ? arg : undefined, 'Copy the address of which level?');
    if (!target) return;
    const route = target.daemon.transport.tcpRoute;
    if (!route) {
      throw new DockerLevelsError('unreachable', `${target.label} has no TCP route from here (it is reached through ${target.daemon.transport.kind}).`,
        'Publish its daemon port, or use the level shell.');
    }
    const tls = route.startsWith('tls://');
    const host = route.replace(/^tls:\/\//, 'tcp://');
    const choices = [
      { label: `export DOCKER_HOST=${host}`, value: `export DOCKER_HOST=${host}${tls ? ' DOCKER_TLS_VERIFY=1' : ''}` },
      { label: `docker -H ${host} ps`, value: `docker -H ${host}${tls ? ' --tlsverify' : ''} ps` },
      { label: host, value: host },
    ];
    const pick = await ctx.prompts.pick(choices, {
      placeHolder: tls ? 'TLS: the client certificates are in the container at /certs/client' : `Address of ${target.label}`,
    });
    if (!pick) return;
    await vscode.env.clipboard.writeText(pick.value);
    vscode.window.setStatusBarMessage(`Copied: ${pick.value}`, 4000);
  },
};
