import * as vscode from 'vscode';

/**
 * Read-only documents for Inspect: a content provider scheme, so the JSON cannot be edited or
 * saved by mistake. Contents live in memory until the document closes.
 */
export class InspectDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'docker-levels-inspect';
  private static readonly contents = new Map<string, string>();
  private static counter = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(InspectDocuments.scheme, this),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === InspectDocuments.scheme) InspectDocuments.contents.delete(d.uri.toString());
      }),
    );
  }

  static put(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: InspectDocuments.scheme, path: `/${name}.json`, query: String(++InspectDocuments.counter) });
    InspectDocuments.contents.set(uri.toString(), text);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return InspectDocuments.contents.get(uri.toString()) ?? '';
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    InspectDocuments.contents.clear();
  }
}
