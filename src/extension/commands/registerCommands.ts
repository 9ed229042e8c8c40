import * as vscode from 'vscode';
import { addEndpointCommand } from './addEndpoint';
import type { CommandContext, CommandSpec } from './commandContext';
import { copyDockerHostCommand } from './copyDockerHost';
import { createDockerContextCommand } from './createDockerContext';
import { copyImageToLevelCommand } from './copyImageToLevel';
import { inspectCommand } from './inspect';
import { openLevelShellCommand } from './openLevelShell';
import { openTerminalCommand } from './openTerminal';
import { refreshCommand } from './refresh';
import { removeContainerCommand } from './removeContainer';
import { removeEndpointCommand } from './removeEndpoint';
import { restartContainerCommand } from './restartContainer';
import { retryCommand } from './retry';
import { showLineageCommand } from './showLineage';
import { showForwardersCommand } from './showForwarders';
import { showLogCommand } from './showLog';
import { startContainerCommand } from './startContainer';
import { startDindHereCommand } from './startDindHere';
import { stopContainerCommand } from './stopContainer';
import { useLevelInTerminalCommand } from './useLevelInTerminal';
import { viewLogsCommand } from './viewLogs';
import { downloadFileCommand } from './downloadFile';
import { openFileInContainerCommand } from './openFileInContainer';
import { uploadFileCommand } from './uploadFile';
import { inspectImageCommand } from './inspectImage';
import { removeImageCommand } from './removeImage';
import { runImageCommand } from './runImage';
import { inspectVolumeCommand } from './inspectVolume';
import { removeVolumeCommand } from './removeVolume';
import { inspectNetworkCommand } from './inspectNetwork';
import { removeNetworkCommand } from './removeNetwork';
import { startComposeProjectCommand } from './startComposeProject';
import { stopComposeProjectCommand } from './stopComposeProject';
import { restartComposeProjectCommand } from './restartComposeProject';
import { removeComposeProjectCommand } from './removeComposeProject';
import { viewComposeProjectLogsCommand } from './viewComposeProjectLogs';
import { forwardPortCommand } from './forwardPort';
import { openInBrowserCommand } from './openInBrowser';
import { showPortForwardsCommand } from './showPortForwards';
import { stopPortForwardCommand } from './stopPortForward';
import { pruneLevelCommand } from './pruneLevel';
import { showDaemonLogCommand } from './showDaemonLog';
import { removeOrphanedLevelDataCommand } from './removeOrphanedLevelData';
import { deleteContainerFileCommand } from './deleteContainerFile';
import { refreshFilesCommand } from './refreshFiles';

/** Every command of the extension; package.json must list exactly these (checked by a unit test). */
export const COMMANDS: readonly CommandSpec[] = [
  refreshCommand, retryCommand, showLogCommand,
  startDindHereCommand, openTerminalCommand, openLevelShellCommand, showLineageCommand,
  startContainerCommand, stopContainerCommand, restartContainerCommand, removeContainerCommand,
  viewLogsCommand, inspectCommand, copyImageToLevelCommand, copyDockerHostCommand,
  addEndpointCommand, removeEndpointCommand,
  useLevelInTerminalCommand, createDockerContextCommand, showForwardersCommand,
  openFileInContainerCommand, downloadFileCommand, uploadFileCommand,
  inspectImageCommand, removeImageCommand, runImageCommand, inspectVolumeCommand, removeVolumeCommand, inspectNetworkCommand, removeNetworkCommand,
  startComposeProjectCommand, stopComposeProjectCommand, restartComposeProjectCommand, removeComposeProjectCommand, viewComposeProjectLogsCommand,
  forwardPortCommand, openInBrowserCommand, showPortForwardsCommand,
  pruneLevelCommand, showDaemonLogCommand, removeOrphanedLevelDataCommand,
  stopPortForwardCommand, deleteContainerFileCommand, refreshFilesCommand,
];

/** Registers each command behind one wrapper that logs and reports errors in one place. */
export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return COMMANDS.map((spec) => vscode.commands.registerCommand(spec.id, async (...args: unknown[]) => {
    ctx.log.debug(`command ${spec.id}`);
    try {
      return await spec.run(ctx, ...args);
    } catch (err) {
      await ctx.errors.show(err);
      return undefined;
    }
  }));
}
