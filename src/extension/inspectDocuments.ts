import * as vscode from 'vscode';
import type { DaemonLevel } from '../core';
import type { PanelOwner } from './webview/LineagePanel';

/** What a document shows a snapshot of: it closes when its tree node or its level goes. */
export interface DocumentTie {
  level?: Pick<DaemonLevel, 'onDidDispose'>;
  owner?: PanelOwner;
}

/**
 * Read-only documents for Inspect: a content provider scheme, so the JSON cannot be edited or
 * saved by mistake. Contents live in memory until the document closes; a document's editors
 * close when what it shows goes (its tree node, its level).
 */
export class InspectDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'docker-levels-inspect';
  private readonly contents = new Map<string, string>();
  /** Documents with an editor (or about to get one), and what ends them early, by URI. */
  private readonly shown = new Map<string, vscode.Disposable[]>();
  private counter = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(InspectDocuments.scheme, this),
      // Also fired by a language change, which reopens the document: only the text goes here.
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === InspectDocuments.scheme) this.contents.delete(d.uri.toString());
      }),
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const key = ours(tab);
          if (key && !tabsShowing(key).length) this.forget(key);
        }
      }),
    );
  }

  put(name: string, text: string, extension = 'json', tie: DocumentTie = {}): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: InspectDocuments.scheme, path: `/${name}.${extension}`, query: String(++this.counter) });
    const key = uri.toString();
    this.contents.set(key, text);
    const ties: vscode.Disposable[] = [];
    this.shown.set(key, ties);
    const end = { dispose: () => void this.close(key) };
    if (tie.owner) ties.push(tie.owner.own(end));
    if (tie.level) ties.push(tie.level.onDidDispose(() => end.dispose()));
    return uri;
  }

  /** The documents shown now, by URI (tests read them). */
  get open(): readonly string[] {
    return [...this.shown.keys()];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** What `key` showed is gone: its editors close and its text is dropped. */
  private async close(key: string): Promise<void> {
    if (!this.shown.has(key)) return;
    this.forget(key);
    const tabs = tabsShowing(key);
    if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
  }

  private forget(key: string): void {
    this.contents.delete(key);
    const ties = this.shown.get(key) ?? [];
    this.shown.delete(key);
    for (const t of ties) t.dispose();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const key of [...this.shown.keys()]) this.forget(key);
    this.contents.clear();
  }
}

function ours(tab: vscode.Tab): string | undefined {
  return tab.input instanceof vscode.TabInputText && tab.input.uri.scheme === InspectDocuments.scheme ? tab.input.uri.toString() : undefined;
}

function tabsShowing(key: string): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => ours(t) === key);
}
