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
  /** Where to save a download; the VS Code dialog when a test gives none. */
  saveTo?(options: vscode.SaveDialogOptions): Thenable<vscode.Uri | undefined>;
  /** Which local file to upload; the VS Code dialog when a test gives none. */
  openFrom?(options: vscode.OpenDialogOptions): Thenable<vscode.Uri[] | undefined>;
}

export const vscodePrompts: Prompts = {
  input: (options) => vscode.window.showInputBox(options),
  pick: (items, options) => vscode.window.showQuickPick(items, options),
  confirm: (message, detail, ...actions) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions),
  saveTo: (options) => vscode.window.showSaveDialog(options),
  openFrom: (options) => vscode.window.showOpenDialog(options),
};
