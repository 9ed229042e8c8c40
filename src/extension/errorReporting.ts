import * as vscode from 'vscode';
import { classifyError, displayText, DockerLevelsError, Listeners, type Disposable } from '../core';

/**
 * The one place where a failure reaches the user: logged with its cause, shown with
 * "Show Log". Cancellation is silent.
 */
export class ErrorReporter {
  private readonly shownListeners = new Listeners<string>();

  constructor(private readonly channel: vscode.LogOutputChannel) {}

  /** Fires with the text of each notification shown (the extension-host tests read it here). */
  onDidShow(listener: (text: string) => void): Disposable {
    return this.shownListeners.add(listener);
  }

  toError(err: unknown, what?: string): DockerLevelsError {
    return classifyError(err, what);
  }

  log(err: unknown, what?: string): DockerLevelsError {
    const e = this.toError(err, what);
    const cause = e.cause instanceof Error ? ` (${e.cause.message})` : '';
    this.channel.error(`${e.kind}: ${e.message}${cause}`);
    return e;
  }

  async show(err: unknown, what?: string): Promise<void> {
    const e = this.log(err, what);
    if (e.kind === 'cancelled') return;
    const text = displayText(e.userMessage, 1000);
    this.shownListeners.fire(text);
    const choice = await vscode.window.showErrorMessage(text, 'Show Log');
    if (choice === 'Show Log') this.channel.show(true);
  }

  showLog(): void {
    this.channel.show(true);
  }
}
