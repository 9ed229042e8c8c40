/** Owner of resources; the same shape as vscode.Disposable, without importing vscode. */
export interface Disposable {
  dispose(): void;
}

/** Disposes what it holds, newest first, once. */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.items.push(item);
    }
    return item;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const item of this.items.splice(0).reverse()) {
      try {
        item.dispose();
      } catch {
        // One failing owner must not keep the others alive.
      }
    }
  }
}
