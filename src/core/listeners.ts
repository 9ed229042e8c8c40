import type { Disposable } from './disposable';

/**
 * Callbacks for one kind of happening, shaped like vscode.Event without importing it:
 * `add` returns a Disposable that removes the listener. A throwing listener does not stop the others.
 */
export class Listeners<T> {
  private readonly fns = new Set<(value: T) => void>();

  add(fn: (value: T) => void): Disposable {
    this.fns.add(fn);
    return { dispose: () => { this.fns.delete(fn); } };
  }

  fire(value: T): void {
    for (const fn of [...this.fns]) {
      try {
        fn(value);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  clear(): void {
    this.fns.clear();
  }
}
