import * as vscode from 'vscode';
import { classifyError, DaemonLevel, displayText, LogFollow, type Disposable } from '../../core';

/**
 * Follows logs in a terminal, at any depth: a container's, or a compose project's merged ones
 * (`open`). Closing the terminal closes the stream.
 */
export class LogsPseudoterminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.writeEmitter.event;
  private readonly controller = new AbortController();
  private follow: LogFollow | undefined;
  private levelWatch: Disposable | undefined;
  /** Set when the stream ended because its level was closed (read by tests). */
  levelClosed = false;

  /** `open` starts the followed log: a container's (followContainerLogs) or a compose project's merged one. */
  constructor(private readonly daemon: DaemonLevel, private readonly openFollow: (signal: AbortSignal) => Promise<LogFollow>) {}

  open(): void {
    // A closed level's client is gone: the stream ends with it, and the terminal says so.
    this.levelWatch = this.daemon.onDidDispose(() => this.endWithLevel());
    if (!this.levelClosed) void this.start();
  }

  private endWithLevel(): void {
    if (this.controller.signal.aborted) return;
    this.levelClosed = true;
    this.controller.abort();
    this.follow?.dispose();
    this.writeEmitter.fire(`\r\n\x1b[33m[log stream ended: ${displayText(this.daemon.what)} was closed]\x1b[0m\r\n`);
  }

  private async start(): Promise<void> {
    try {
      const follow = await this.openFollow(this.controller.signal);
      if (this.controller.signal.aborted) { follow.dispose(); return; }
      this.follow = follow;
      follow.output.on('data', (c: Buffer) => this.writeEmitter.fire(c.toString('utf8').replace(/\r?\n/g, '\r\n')));
      follow.output.on('end', () => { if (!this.levelClosed) this.writeEmitter.fire('\r\n\x1b[2m[log stream ended]\x1b[0m\r\n'); });
      follow.output.on('error', (err) => this.showError(err));
    } catch (err) {
      this.showError(err);
    }
  }

  private showError(err: unknown): void {
    if (this.controller.signal.aborted) return;
    this.writeEmitter.fire(`\x1b[31m${classifyError(err, this.daemon.what).userMessage}\x1b[0m\r\n`);
  }

  close(): void {
    this.levelWatch?.dispose();
    this.controller.abort();
    this.follow?.dispose();
    this.writeEmitter.dispose();
  }
}
