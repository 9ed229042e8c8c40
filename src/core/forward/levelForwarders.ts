import type { Disposable } from '../disposable';
import { Listeners } from '../listeners';
import type { DockerLevelsError } from '../errors';
import type { Logger } from '../log';
import { ForwardTarget, LevelForwarder } from './levelForwarder';
import { isAtOrBelowLevel } from '../levels/ids';

/**
 * The forwarders one front end owns (the extension: for its status bar and terminals), at
 * most one per level. A forwarder leaves the list when it stops, also when its level closes.
 */
export class LevelForwarders implements Disposable {
  private readonly running = new Map<string, LevelForwarder>();
  private readonly starting = new Map<string, Promise<LevelForwarder>>();
  private readonly changeListeners = new Listeners<void>();
  private disposed = false;

  /** `onStoppedFor` hears of each forwarder that stopped by itself, with why (an impostor, its level gone). */
  constructor(private readonly log?: Logger, private readonly onStoppedFor?: (reason: DockerLevelsError) => void) {}

  /** The level's forwarder, started on first use; callers racing for it share one. */
  forward(target: ForwardTarget): Promise<LevelForwarder> {
    if (this.disposed) return Promise.reject(new Error('The forwarders are disposed'));
    const existing = this.running.get(target.id);
    if (existing?.state === 'serving') return Promise.resolve(existing);
    const pending = this.starting.get(target.id);
    if (pending) return pending;
    const attempt = LevelForwarder.start(target, { log: this.log }).then((forwarder) => {
      if (this.disposed) {
        void forwarder.stop();
        throw new Error('The forwarders were disposed while starting');
      }
      this.running.set(target.id, forwarder);
      forwarder.onDidChange(() => this.changeListeners.fire());
      forwarder.onDidStop(() => {
        if (this.running.get(target.id) === forwarder) this.running.delete(target.id);
        if (forwarder.stopReason && !this.disposed) this.onStoppedFor?.(forwarder.stopReason);
        this.changeListeners.fire();
      });
      this.changeListeners.fire();
      return forwarder;
    }).finally(() => this.starting.delete(target.id));
    this.starting.set(target.id, attempt);
    return attempt;
  }

  list(): readonly LevelForwarder[] {
    return [...this.running.values()];
  }

  /** Live connections over all forwarders. */
  get activeConnections(): number {
    return this.list().reduce((n, f) => n + f.activeConnections, 0);
  }

  /** Stops the forwarder of a level and of every level below it. */
  async stop(levelId: string): Promise<void> {
    const below = this.list().filter((f) => isAtOrBelowLevel(f.target.id, levelId));
    await Promise.all(below.map((f) => f.stop()));
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.list().map((f) => f.stop()));
  }

  /** Fires when a forwarder starts or stops, or its connection count changes. */
  onDidChange(listener: () => void): Disposable {
    return this.changeListeners.add(listener);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.stopAll();
    this.changeListeners.clear();
  }
}
