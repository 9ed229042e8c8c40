import * as vscode from 'vscode';
import { classifyError, containerNodeId, DaemonLevel, displayText, traceLineage } from '../../core';

/**
 * The ID lineage of one container: level by level from the root, the daemon, the ID seen
 * from above, the hostname inside, and whether they match. Proved live through exec; the
 * Refresh button runs the proof again.
 */
/** What a panel can be tied to: a tree node, which disposes what it owns when it goes. */
export interface PanelOwner {
  own(d: vscode.Disposable): vscode.Disposable;
}

/** The open lineage panels, one per container; owned by the extension, closed with it. */
export class LineagePanels implements vscode.Disposable {
  private readonly panels = new Map<string, LineagePanel>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** The panel of this container, opened or revealed; it closes when `owner` (its tree node) or its level goes. */
  show(daemon: DaemonLevel, containerId: string, name: string, owner?: PanelOwner): LineagePanel {
    const key = containerNodeId(daemon.id, containerId);
    const existing = this.panels.get(key);
    if (existing) {
      existing.panel.reveal();
      void existing.update();
      return existing;
    }
    const ties: { dispose(): void }[] = [];
    const panel = new LineagePanel(this.extensionUri, daemon, containerId, name, () => {
      if (this.panels.get(key) === panel) this.panels.delete(key);
      for (const t of ties.splice(0)) t.dispose();
    });
    this.panels.set(key, panel);
    if (owner) ties.push(owner.own(panel));
    // Its level closed (its container or root gone, the connections rebuilt): no proof can run again.
    ties.push(daemon.onDidDispose(() => panel.dispose()));
    return panel;
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
  }
}

export class LineagePanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private controller: AbortController | undefined;
  private disposed = false;

  readonly panel: vscode.WebviewPanel;
  /** Last data posted to the view, for tests and for a re-shown panel. */
  lastResult: unknown;

  constructor(extensionUri: vscode.Uri, private readonly daemon: DaemonLevel,
    private readonly containerId: string, private readonly name: string, private readonly onDispose: () => void) {
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    this.panel = vscode.window.createWebviewPanel('dockerLevels.lineage', `ID Lineage: ${displayText(name)}`, vscode.ViewColumn.Active, {
      enableScripts: true, localResourceRoots: [media],
    });
    this.panel.iconPath = vscode.Uri.joinPath(media, 'docker-levels.svg');
    this.panel.webview.html = this.html(this.panel.webview, media);
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage((m: { type?: string }) => { if (m?.type === 'refresh' || m?.type === 'ready') void this.update(); }),
    );
  }

  /** Runs the proof again and posts it to the view. */
  async update(): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    await this.panel.webview.postMessage({ type: 'loading' });
    try {
      const lineage = await traceLineage(this.daemon, this.containerId, controller.signal);
      this.lastResult = { type: 'lineage', name: this.name, levels: lineage.levels, provedAt: new Date().toISOString() };
    } catch (err) {
      if (controller.signal.aborted) return;
      this.lastResult = { type: 'error', message: classifyError(err, this.daemon.what).userMessage };
    }
    await this.panel.webview.postMessage(this.lastResult);
  }

  private html(webview: vscode.Webview, media: vscode.Uri): string {
    const nonce = Array.from({ length: 32 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'lineage.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'lineage.css'));
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${style}" rel="stylesheet">
<title>ID Lineage</title>
</head>
<body>
<header>
  <h1>ID lineage of <code id="name"></code></h1>
  <button id="refresh" type="button">Refresh</button>
</header>
<p class="explain">Each row is one level, from the root daemon down. The ID is the container as its daemon sees it; the hostname is what <code>hostname</code> prints inside it, run live through exec. Inside a container, the hostname is its short ID one level up, unless <code>--hostname</code> overrides it.</p>
<p id="status" role="status"></p>
<table id="lineage" aria-label="ID lineage">
  <thead><tr><th>Depth</th><th>Daemon</th><th>Container</th><th>ID seen from above</th><th>Hostname inside</th><th>Match</th></tr></thead>
  <tbody></tbody>
</table>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.controller?.abort();
    this.onDispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
