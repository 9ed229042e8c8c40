import type * as vscode from 'vscode';
import type { LevelForwarders, Logger } from '../../core';
import type { DockerContexts } from '../forwarding/dockerContexts';
import type { PortForwards } from '../forwarding/portForwards';
import type { ErrorReporter } from '../errorReporting';
import type { ContainerFileSystemProvider } from '../files/ContainerFileSystemProvider';
import type { InspectDocuments } from '../inspectDocuments';
import type { LevelsService } from '../levelsService';
import type { Prompts } from '../prompts';
import type { LevelTerminals } from '../terminal/levelTerminals';
import type { LevelsTreeProvider } from '../tree/LevelsTreeProvider';
import type { TreeNode } from '../tree/nodes/TreeNode';
import type { LineagePanels } from '../webview/LineagePanel';

/** What every command may use; built once in activate(). */
export interface CommandContext {
  readonly extensionUri: vscode.Uri;
  readonly service: LevelsService;
  readonly tree: LevelsTreeProvider;
  readonly view: vscode.TreeView<TreeNode>;
  readonly errors: ErrorReporter;
  readonly log: Logger;
  readonly terminals: LevelTerminals;
  /** Local endpoints for levels, owned by the extension (stopped on deactivate). */
  readonly forwarders: LevelForwarders;
  readonly contexts: DockerContexts;
  /** Container ports on 127.0.0.1, owned by the extension (stopped on deactivate). */
  readonly portForwards: PortForwards;
  readonly inspectDocuments: InspectDocuments;
  readonly lineagePanels: LineagePanels;
  /** The docker-levels: file system (files in any container at any depth). */
  readonly files: ContainerFileSystemProvider;
  /** Replaceable so extension-host tests can answer; see prompts.ts. */
  prompts: Prompts;
}

export interface CommandSpec {
  id: string;
  run(ctx: CommandContext, ...args: unknown[]): unknown;
}
