import * as vscode from 'vscode';
import { LevelForwarders } from '../core';
import { registerCommands } from './commands/registerCommands';
import { ErrorReporter } from './errorReporting';
import { ContainerFileSystemProvider } from './files/ContainerFileSystemProvider';
import { DockerContexts } from './forwarding/dockerContexts';
import { ForwarderStatus } from './forwarding/forwarderStatus';
import { PortForwards } from './forwarding/portForwards';
import { InspectDocuments } from './inspectDocuments';
import { LevelsService } from './levelsService';
import { channelLogger } from './logging';
import { CONNECTION_KEYS, readSettings, SECTION } from './settings';
import { Prompts, vscodePrompts } from './prompts';
import { LevelTerminals } from './terminal/levelTerminals';
import { LevelsTreeProvider, VIEW_ID } from './tree/LevelsTreeProvider';
import type { TreeNode } from './tree/nodes/TreeNode';
import { LineagePanels } from './webview/LineagePanel';

/** What activate() returns: used by the extension-host tests, not a public API. */
export interface DockerLevelsApi {
  service: LevelsService;
  tree: LevelsTreeProvider;
  view: vscode.TreeView<TreeNode>;
  terminals: LevelTerminals;
  forwarders: LevelForwarders;
  contexts: DockerContexts;
  /** The forwarders' status bar item, read-only (tests read what it shows). */
  forwarderStatus: ForwarderStatus;
  files: ContainerFileSystemProvider;
  portForwards: PortForwards;
  /** The one place errors become notifications (tests listen to what it shows). */
  errors: ErrorReporter;
  /** The prompts commands use; tests replace them to answer dialogs. */
  setPrompts(prompts: Prompts): void;
}

/**
 * The running session's clean shutdown: VS Code calls deactivate() (and waits for its promise)
 * before it disposes context.subscriptions, so the work that takes time is awaited here.
 */
let shutdown: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): DockerLevelsApi {
  const started = Date.now();
  const channel = vscode.window.createOutputChannel('Docker Levels', { log: true });
  const log = channelLogger(channel);
  const errors = new ErrorReporter(channel);
  const service = new LevelsService(readSettings(), log);
  const tree = new LevelsTreeProvider(service, errors, log);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  tree.attach(view);
  const terminals = new LevelTerminals();
  // A forwarder that stopped by itself (an impostor on its route, its level gone) says so, with Show Log.
  const forwarders = new LevelForwarders(log, (reason) => void errors.show(reason));
  const contexts = new DockerContexts(log);
  const portForwards = new PortForwards(log, (error) => void errors.show(error));
  tree.portForwards = portForwards;
  // Forwarders and the docker contexts pointing at them go when VS Code closes; once only.
  let stopping: Promise<void> | undefined;
  const stopForwarding = () => (stopping ??= Promise.all([contexts.removeAll(), forwarders.stopAll(), portForwards.stopAll()]).then(() => { forwarders.dispose(); portForwards.dispose(); }));
  shutdown = stopForwarding;
  const inspectDocuments = new InspectDocuments();
  const lineagePanels = new LineagePanels(context.extensionUri);
  const forwarderStatus = new ForwarderStatus(forwarders);
  const files = new ContainerFileSystemProvider(service, log);
  context.subscriptions.push(files);
  context.subscriptions.push(channel, service, tree, view, terminals, inspectDocuments, lineagePanels, forwarderStatus,
    { dispose: () => { void stopForwarding(); } });
  const commandContext = {
    extensionUri: context.extensionUri, service, tree, view, errors, log, terminals, prompts: vscodePrompts, forwarders, contexts, portForwards, inspectDocuments, lineagePanels, files,
  };
  context.subscriptions.push(...registerCommands(commandContext));

  const applySettings = (reconnect: boolean) => {
    service.update(readSettings(), reconnect);
    tree.refresh();
  };
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SECTION)) applySettings(CONNECTION_KEYS.some((k) => e.affectsConfiguration(k)));
    }),
    // Workspace endpoint and image settings count only once the workspace is trusted.
    vscode.workspace.onDidGrantWorkspaceTrust(() => applySettings(true)),
  );
  channel.info(`activated in ${Date.now() - started} ms`);
  return { service, tree, view, terminals, forwarders, contexts, forwarderStatus, files, portForwards, errors, setPrompts: (p) => { commandContext.prompts = p; } };
}

/** Resolves once forwarders have stopped (their sockets deleted) and the contexts are removed. */
export function deactivate(): Promise<void> {
  const done = shutdown?.() ?? Promise.resolve();
  shutdown = undefined;
  return done;
}
