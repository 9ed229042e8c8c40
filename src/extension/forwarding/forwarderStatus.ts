import * as vscode from 'vscode';
import type { LevelForwarders } from '../../core';

/** Status bar item: how many forwarders run; a click lists them. Hidden when none does. */
export class ForwarderStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('dockerLevels.forwarders', vscode.StatusBarAlignment.Left, 9);
  private readonly subscription: { dispose(): void };

  constructor(private readonly forwarders: LevelForwarders) {
    this.item.name = 'Docker Levels: forwarders';
    this.item.command = 'docker-levels.showForwarders';
    this.subscription = forwarders.onDidChange(() => this.update());
    this.update();
  }

  /** What the status bar shows now (undefined when hidden); read by tests. */
  get shown(): { text: string; tooltip: string; command: string } | undefined {
    return this.visible ? { text: this.item.text, tooltip: String(this.item.tooltip ?? ''), command: String(this.item.command) } : undefined;
  }

  private visible = false;

  private update(): void {
    const list = this.forwarders.list();
    if (list.length === 0) {
      this.item.hide();
      this.visible = false;
      return;
    }
    this.item.text = `$(plug) ${list.length} level endpoint${list.length === 1 ? '' : 's'}`;
    this.item.tooltip = list.map((f) => `${f.target.what}: ${f.dockerHost} (${f.activeConnections} open)`).join('\n');
    this.item.show();
    this.visible = true;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
