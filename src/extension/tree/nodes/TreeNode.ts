import type * as vscode from 'vscode';

/** One row of the Levels tree. Each kind computes its own item and children. */
export abstract class TreeNode {
  /** Stable across refreshes, so expansion and reveal() survive them. */
  abstract readonly id: string;

  constructor(readonly parent: TreeNode | undefined) {}

  abstract getTreeItem(): vscode.TreeItem;

  getChildren(): Promise<TreeNode[]> {
    return Promise.resolve([]);
  }

  /**
   * Takes over the state of a newer node with the same id and kind. The provider keeps one
   * instance per id because VS Code refreshes and reveals elements by object identity: a
   * refresh fired with an instance it did not get from getChildren is silently ignored.
   */
  adopt(fresh: this): void {
    Object.assign(this, fresh);
  }
}
