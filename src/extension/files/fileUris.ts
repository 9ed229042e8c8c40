import * as vscode from 'vscode';
import { DaemonLevel, FILES_SCHEME, FileLocation, formatFileAuthority, formatFileUriPath, parseFileLocation } from '../../core';

/**
 * docker-levels://ROOT+L1+L2+L3/CONTAINER/PATH (see core/files/fileLocation.ts): the editor
 * tab's path names the level chain, so it says where its file lives.
 */
export function containerFileUri(daemon: DaemonLevel, containerName: string, path: string): vscode.Uri {
  return vscode.Uri.from({ scheme: FILES_SCHEME, authority: formatFileAuthority(daemon.root.id, daemon.chain.map((c) => c.name)), path: formatFileUriPath(containerName, path) });
}

export function locationOf(uri: vscode.Uri): FileLocation {
  return parseFileLocation(uri.authority, uri.path);
}

/** The same file's directory, for a save dialog's or a listing's next step. */
export function withContainerPath(uri: vscode.Uri, path: string): vscode.Uri {
  const { container } = locationOf(uri);
  return uri.with({ path: formatFileUriPath(container, path) });
}
