import * as vscode from 'vscode';
import { DaemonLevel, displayText } from '../../core';
import { ExecPseudoterminal } from './ExecPseudoterminal';

interface LevelTerminal {
  terminal: vscode.Terminal;
  pty: vscode.Pseudoterminal;
  levelText: string;
}

/** "web @ L3 ‹ dind-b ‹ dind-a": the container, its depth, and the levels above it, nearest first. */
export function terminalName(containerName: string, daemon: DaemonLevel): string {
  if (daemon.isRoot) return displayText(`${containerName} @ ${daemon.root.label}`);
  return displayText(`${containerName} @ L${daemon.depth} ‹ ${[...daemon.chain].reverse().map((c) => c.name).join(' ‹ ')}`);
}

/** Terminals opened by Docker Levels, and the status bar item that shows the active one's level. */
export class LevelTerminals implements vscode.Disposable {
  private readonly open = new Map<vscode.Terminal, LevelTerminal>();
  private readonly statusItem = vscode.window.createStatusBarItem('dockerLevels.terminalLevel', vscode.StatusBarAlignment.Left, 10);
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.statusItem.name = 'Docker Levels: terminal level';
    this.disposables.push(
      this.statusItem,
      vscode.window.onDidCloseTerminal((t) => { this.open.delete(t); this.update(); }),
      vscode.window.onDidChangeActiveTerminal(() => this.update()),
    );
  }

  /** Opens an integrated terminal running `cmd` (a shell by default) in a container at any depth. */
  openExec(daemon: DaemonLevel, containerId: string, containerName: string, cmd?: string[]): vscode.Terminal {
    return this.openPty(new ExecPseudoterminal(daemon, containerId, cmd), terminalName(containerName, daemon),
      daemon.isRoot ? daemon.root.label : `L${daemon.depth} ${daemon.path}`);
  }

  openPty(pty: vscode.Pseudoterminal, name: string, levelText: string): vscode.Terminal {
    // Names and level texts carry container names from the daemons: shown as text, never controls.
    const terminal = vscode.window.createTerminal({ name: displayText(name), pty, iconPath: new vscode.ThemeIcon('layers') });
    this.open.set(terminal, { terminal, pty, levelText: displayText(levelText) });
    terminal.show();
    this.update();
    return terminal;
  }

  /** The pseudoterminal behind a terminal we opened (tests read exit codes through it). */
  ptyOf(terminal: vscode.Terminal): vscode.Pseudoterminal | undefined {
    return this.open.get(terminal)?.pty;
  }

  /** The level the status bar names for the active terminal (undefined when hidden); read by tests. */
  get statusText(): string | undefined {
    return this.statusShown ? this.statusItem.text : undefined;
  }

  private statusShown = false;

  private update(): void {
    const active = vscode.window.activeTerminal && this.open.get(vscode.window.activeTerminal);
    if (!active) {
      this.statusItem.hide();
      this.statusShown = false;
      return;
    }
    this.statusItem.text = `$(layers) ${active.levelText}`;
    this.statusItem.tooltip = `Docker Levels terminal: ${active.terminal.name}`;
    this.statusItem.show();
    this.statusShown = true;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const t of this.open.keys()) t.dispose();
    this.open.clear();
  }
}
