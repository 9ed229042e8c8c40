import * as vscode from 'vscode';
import { classifyError, DaemonLevel, displayText, ExecSession, openExecSession, type Disposable } from '../../core';

/** Runs bash where the image has it, else sh. */
export const SHELL_COMMAND = ['sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

/**
 * One terminal session in a container at any depth, over the core's exec session: input and
 * resize forwarded, output written, the exit code shown when the shell ends.
 */
export class ExecPseudoterminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private session: ExecSession | undefined;
  private exited: number | undefined;
  private closed = false;
  private levelWatch: Disposable | undefined;
  /** Set when the session ended because its level was closed (read by tests). */
  levelClosed = false;

  constructor(private readonly daemon: DaemonLevel, private readonly containerId: string, private readonly cmd: string[] = SHELL_COMMAND) {}

  open(dimensions: vscode.TerminalDimensions | undefined): void {
    // The level's client is gone once it closes (its container removed, its root removed, the
    // connections rebuilt): the session ends with it, and the terminal says so.
    this.levelWatch = this.daemon.onDidDispose(() => this.endWithLevel());
    if (!this.levelClosed) void this.start(dimensions);
  }

  private endWithLevel(): void {
    if (this.closed || this.exited !== undefined) return;
    this.levelClosed = true;
    this.exited = 1;
    this.session?.dispose();
    this.session = undefined;
    this.writeEmitter.fire(`\r\n\x1b[33m[${displayText(this.daemon.what)} was closed: this session ended — press any key to close]\x1b[0m\r\n`);
  }

  private async start(dimensions: vscode.TerminalDimensions | undefined): Promise<void> {
    try {
      const session = await openExecSession(this.daemon, this.containerId, {
        cmd: this.cmd, tty: true, stdin: true, cols: dimensions?.columns, rows: dimensions?.rows,
      });
      if (this.closed || this.levelClosed) {
        session.dispose();
        return;
      }
      this.session = session;
      session.stdout.on('data', (chunk: Buffer) => this.writeEmitter.fire(chunk.toString('utf8')));
      const code = await session.exitCode;
      if (this.levelClosed) return;
      this.exited = code;
      this.writeEmitter.fire(`\r\n\x1b[2m[process exited with code ${code} — press any key to close]\x1b[0m\r\n`);
    } catch (err) {
      if (this.levelClosed || this.closed) return;
      const e = classifyError(err, this.daemon.what);
      this.exited = 1;
      this.writeEmitter.fire(`\r\n\x1b[31m${e.userMessage}\x1b[0m\r\n\x1b[2m[press any key to close]\x1b[0m\r\n`);
    }
  }

  /** Exit code once the shell ended. */
  get exitCode(): number | undefined {
    return this.exited;
  }

  handleInput(data: string): void {
    if (this.exited !== undefined) {
      this.closeEmitter.fire(this.exited);
      return;
    }
    this.session?.stdin.write(data);
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    void this.session?.resize(dimensions.columns, dimensions.rows).catch(() => undefined);
  }

  close(): void {
    this.closed = true;
    this.levelWatch?.dispose();
    this.session?.dispose();
    this.session = undefined;
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
