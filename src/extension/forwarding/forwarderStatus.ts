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

  private update(): void {
    const list = this.forwarders.list();
    if (list.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(plug) ${list.length} level endpoint${list.length === 1 ? '' : 's'}`;
    this.item.tooltip = list.map((f) => `${f.target.what}: ${f.dockerHost} (${f.activeConnections} open)`).join('\n');
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
