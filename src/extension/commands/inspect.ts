import * as vscode from 'vscode';
import { inspectContainer, terminalSafeJson } from '../../core';
import type { CommandSpec } from './commandContext';
import { containerArgument } from './nodeArguments';

/** Inspect as a read-only JSON document; C1 and bidi controls in the level's text are `\u` escapes, as in the CLI's JSON. */
export const inspectCommand: CommandSpec = {
  id: 'docker-levels.inspect',
  async run(ctx, arg) {
    const node = await containerArgument(ctx, arg, undefined, 'Inspect which container?');
    if (!node) return;
    const data = await inspectContainer(node.daemon, node.container.Id);
    const uri = ctx.inspectDocuments.put(node.name, terminalSafeJson(data, 2), 'json', { level: node.daemon, owner: node });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'json');
    await vscode.window.showTextDocument(doc, { preview: true });
    return uri;
  },
};
