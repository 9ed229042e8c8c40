import * as vscode from 'vscode';
import { FILES_SCHEME } from '../../core';
import type { CommandContext } from '../commands/commandContext';
import { containerArgument } from '../commands/nodeArguments';
import { ContainerDirectoryNode, ContainerFileNode } from '../tree/nodes/ContainerPathNodes';
import { FilesNode } from '../tree/nodes/FilesNode';
import { containerFileUri } from './fileUris';

/**
 * The container file a command acts on: a docker-levels: URI it was given (an editor, the
 * explorer), a row under a container's Files, else a container picked in the tree or the
 * palette and a path typed in.
 */
export async function containerFileArgument(ctx: CommandContext, arg: unknown, prompt: string, value = '/'): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri && arg.scheme === FILES_SCHEME) return arg;
  if (isFileTreeNode(arg)) return arg.uri;
  const node = await containerArgument(ctx, arg, undefined, 'Which container?');
  if (!node) return undefined;
  const path = await ctx.prompts.input({
    prompt, value, validateInput: (v) => (v.startsWith('/') ? undefined : 'An absolute path inside the container, e.g. /etc/hostname'),
  });
  if (!path) return undefined;
  return containerFileUri(node.daemon, node.name, path);
}

/** Runs `work` under a notification with Cancel; its signal reaches the transfer. */
export function withTransferProgress<T>(title: string, work: (signal: AbortSignal, report: (done: number, total: number) => void) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    let last = 0;
    const report = (done: number, total: number) => {
      if (total <= 0) return;
      const pct = Math.floor((done / total) * 100);
      if (pct > last) progress.report({ increment: pct - last, message: `${(done / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB` });
      last = Math.max(last, pct);
    };
    return work(controller.signal, report).finally(() => sub.dispose());
  });
}

/** A row under a container's Files: the Files row itself, a directory or a file. */
export type FileTreeNode = FilesNode | ContainerDirectoryNode | ContainerFileNode;

export function isFileTreeNode(arg: unknown): arg is FileTreeNode {
  return arg instanceof FilesNode || arg instanceof ContainerDirectoryNode || arg instanceof ContainerFileNode;
}
