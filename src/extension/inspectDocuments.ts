import * as vscode from 'vscode';

/**
 * Read-only documents for Inspect: a content provider scheme, so the JSON cannot be edited or
 * saved by mistake. Contents live in memory until the document closes.
 */
export class InspectDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'docker-levels-inspect';
  private readonly contents = new Map<string, string>();
  private counter = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(InspectDocuments.scheme, this),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === InspectDocuments.scheme) this.contents.delete(d.uri.toString());
      }),
    );
  }

  put(name: string, text: string, extension = 'json'): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: InspectDocuments.scheme, path: `/${name}.${extension}`, query: String(++this.counter) });
    this.contents.set(uri.toString(), text);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.contents.clear();
  }
}
