import { DisposableStore, Disposable } from '../disposable';
import { Connection, describeConnection, isLocalConnection, RootEndpoint, TlsMaterial } from '../endpoints/endpoint';
import { Logger, scopedLogger, silentLogger } from '../log';
import { createDockerClient, streamingConnection } from '../transport/dockerClient';
import { DaemonInfo, DaemonLevel, NESTED_TRANSPORTS, NestedTransportKind, RootTransportKind } from './daemonLevel';
import { connectNestedLevel, OpenedLevel } from './levelConnector';
import type { CertificateRoute } from '../transport/tlsCerts';
import { childLevelId, isAtOrBelowLevel } from './ids';

export interface LevelsOptions {
  timeoutMs?: number;
  transportOrder?: readonly NestedTransportKind[];
  log?: Logger;
  /** How TLS levels' client certificates are read: `auto` (an exec, else the archive) when not given. */
  certificateRoute?: CertificateRoute;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

function rootTransportKind(c: Connection): RootTransportKind {
  if (c.kind === 'tcp') return c.tls ? 'tls' : 'tcp';
  if (c.kind === 'agent') return 'tcp';
  return c.kind;
}

function rootRoutableAddress(c: Connection): string | undefined {
  if (c.kind === 'unix' || c.kind === 'npipe') return '127.0.0.1';
  if (c.kind === 'tcp') return isLocalConnection(c) ? '127.0.0.1' : c.host;
  return undefined;
}

/**
 * Every daemon Docker Levels can reach: the roots, and the nested levels opened so far.
 * It owns their clients; closing a level closes everything below it.
 */
export class Levels implements Disposable {
  readonly timeoutMs: number;
  readonly transportOrder: readonly NestedTransportKind[];
  readonly log: Logger;
  readonly certificateRoute: CertificateRoute;
  private rootLevels: DaemonLevel[] = [];
  private readonly open = new Map<string, DaemonLevel>();
  private readonly opening = new Map<string, Promise<OpenedLevel>>();
  private disposed = false;
  /**
   * TLS client certificates read from levels, by level id, in memory only (never on disk): a
   * level closed and opened again (its container restarted, a transport retried) reads none.
   * Kept for the life of this object, or of its root; at most MAX_KEPT_CERTIFICATES, oldest out.
   */
  private readonly certificates = new KeptCertificates();
  /** Daemons (by level id) that refused --privileged: one failed start each, not one per level. */
  readonly privilegedRefused = new Set<string>();

  constructor(endpoints: readonly RootEndpoint[], options: LevelsOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.transportOrder = options.transportOrder?.length ? options.transportOrder : NESTED_TRANSPORTS;
    this.log = scopedLogger(options.log ?? silentLogger, 'levels');
    this.certificateRoute = options.certificateRoute ?? 'auto';
    this.setEndpoints(endpoints);
  }

  roots(): readonly DaemonLevel[] {
    return this.rootLevels;
  }

  /** Replaces the roots; levels under roots that are gone are closed. */
  setEndpoints(endpoints: readonly RootEndpoint[]): void {
    const keep = new Map(this.rootLevels.map((r) => [r.root.id, r]));
    const next: DaemonLevel[] = [];
    for (const endpoint of endpoints) {
      const existing = keep.get(endpoint.id);
      if (existing && existing.root.url === endpoint.url) {
        next.push(existing);
        keep.delete(endpoint.id);
        continue;
      }
      const routable = rootRoutableAddress(endpoint.connection);
      // ssh:// and command roots: one agent for the client and for raw streams alike.
      const connection = streamingConnection(endpoint.connection, { timeoutMs: this.timeoutMs, log: this.log });
      next.push(new DaemonLevel({
        root: endpoint, chain: [], docker: createDockerClient(connection),
        transport: { kind: rootTransportKind(endpoint.connection), address: describeConnection(endpoint.connection),
          tcpRoute: endpoint.connection.kind === 'tcp' ? describeConnection(endpoint.connection) : undefined },
        parent: undefined, routableAddress: routable, timeoutMs: this.timeoutMs,
        publishedPortsReachable: routable !== undefined, connection,
      }));
    }
    for (const gone of keep.values()) {
      // Its nested levels, then its own client and event streams.
      this.close(gone.id);
      this.certificates.forgetBelow(gone.id);
      gone.dispose();
    }
    this.rootLevels = next;
  }

  /** A level opened before, if still open. */
  get(id: string): DaemonLevel | undefined {
    return this.rootLevels.find((r) => r.id === id) ?? this.open.get(id);
  }

  /**
   * The daemon inside `containerId`, a container of `parent`. Opened once and cached; a
   * second caller while it opens shares the same attempt.
   */
  async openLevel(parent: DaemonLevel, containerId: string, signal?: AbortSignal): Promise<DaemonLevel> {
    return (await this.openLevelWithInfo(parent, containerId, signal)).level;
  }

  /**
   * openLevel, with the /info the opening read when this call (or the attempt it joined)
   * opened the level: a walk need not ask again. A level open before comes without; that
   * answer may be old.
   */
  async openLevelWithInfo(parent: DaemonLevel, containerId: string, signal?: AbortSignal): Promise<{ level: DaemonLevel; info?: DaemonInfo }> {
    if (this.disposed) throw new Error('Levels is disposed');
    const cached = [...this.open.values()].find((l) => l.parent === parent && l.container?.id.startsWith(containerId));
    if (cached && !cached.isDisposed) return { level: cached };
    const key = childLevelId(parent.id, containerId);
    const pending = this.opening.get(key);
    if (pending) return pending;
    const attempt = connectNestedLevel(parent, containerId, {
      order: this.transportOrder, timeoutMs: this.timeoutMs, log: this.log, signal, certificateRoute: this.certificateRoute, certificates: this.certificates,
    }).then((opened) => {
      if (this.disposed || parent.isDisposed) {
        opened.level.dispose();
        throw new Error('The parent level was closed while opening');
      }
      this.open.set(opened.level.id, opened.level);
      return opened;
    }).finally(() => this.opening.delete(key));
    this.opening.set(key, attempt);
    return attempt;
  }

  /**
   * Closes a nested level and every level below it (their clients, tunnels and streams).
   * For a root, closes what is below it: a root client dials afresh on every request.
   */
  close(id: string): void {
    for (const [openId, level] of [...this.open]) {
      if (isAtOrBelowLevel(openId, id)) {
        this.open.delete(openId);
        level.dispose();
      }
    }
  }

  /** Opened nested levels, for leak checks and the UI. */
  openLevels(): readonly DaemonLevel[] {
    return [...this.open.values()];
  }

  /** Levels open or opening below a root: a budget counts both, so opens in parallel cannot pass it. */
  levelsUnderRoot(root: DaemonLevel): number {
    const open = [...this.open.values()].filter((l) => l.root.id === root.root.id).length;
    return open + [...this.opening.keys()].filter((key) => isAtOrBelowLevel(key, root.id)).length;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const store = new DisposableStore();
    for (const l of this.open.values()) store.add(l);
    for (const r of this.rootLevels) store.add(r);
    this.open.clear();
    this.certificates.clear();
    store.dispose();
  }
}

/** Levels whose certificates one Levels keeps: far above a real tree, and the walk opens at most 500. */
export const MAX_KEPT_CERTIFICATES = 1000;

class KeptCertificates extends Map<string, TlsMaterial> {
  override set(key: string, value: TlsMaterial): this {
    this.delete(key);
    super.set(key, value);
    for (const oldest of this.keys()) {
      if (this.size <= MAX_KEPT_CERTIFICATES) break;
      this.delete(oldest);
    }
    return this;
  }

  forgetBelow(levelId: string): void {
    for (const key of [...this.keys()]) if (isAtOrBelowLevel(key, levelId)) this.delete(key);
  }
}
