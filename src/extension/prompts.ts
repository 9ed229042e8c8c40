import * as vscode from 'vscode';

/**
 * The questions commands ask, behind a small interface: the real one is VS Code's UI; the
 * extension-host tests script the answers (the browser UI test answers the real dialogs).
 */
export interface Prompts {
  input(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  /** A modal warning; resolves with the chosen action, undefined on cancel. */
  confirm(message: string, detail: string, ...actions: string[]): Thenable<string | undefined>;
}

export const vscodePrompts: Prompts = {
  input: (options) => vscode.window.showInputBox(options),
  pick: (items, options) => vscode.window.showQuickPick(items, options),
  confirm: (message, detail, ...actions) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions),
};
