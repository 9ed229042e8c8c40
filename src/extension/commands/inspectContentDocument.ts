import * as vscode from 'vscode';
import { inspectContent, terminalSafeJson } from '../../core';
import type { CommandContext } from './commandContext';
import type { ContentTarget } from './contentArguments';

/** Shows an image, volume or network's inspect answer as a read-only JSON document (C1 and bidi controls as `\u` escapes). */
export async function showContentInspect(ctx: CommandContext, target: ContentTarget): Promise<void> {
  const data = await inspectContent(target.daemon, target.kind, target.id);
  const uri = ctx.inspectDocuments.put(`${target.kind}-${target.name.replace(/[/:@\\]/g, '_')}`, terminalSafeJson(data, 2), 'json',
    { level: target.daemon, owner: target.node });
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(doc, 'json');
  await vscode.window.showTextDocument(doc, { preview: true });
}
