import * as vscode from 'vscode';
import { DaemonLevel, DockerLevelsError, Listeners, Logger, PortForward, type Disposable } from '../../core';

/**
 * The port forwards the extension owns: one per container port, listed and stoppable; each
 * leaves the list when it stops (asked, its container or level gone), and all stop with VS Code.
 */
export class PortForwards implements Disposable {
  private readonly running = new Map<string, PortForward>();
  private readonly changeListeners = new Listeners<void>();
  private disposed = false;

  constructor(private readonly log: Logger, private readonly onProblem: (error: DockerLevelsError) => void) {}

  /** The forward of that container port, started on first use (or on the local port asked for). */
  async forward(daemon: DaemonLevel, containerId: string, port: number, localPort?: number, signal?: AbortSignal): Promise<PortForward> {
    if (this.disposed) throw new DockerLevelsError('cancelled', 'Port forwarding has stopped.');
    const existing = [...this.running.values()].find((f) => f.daemon === daemon && f.containerId === containerId && f.port === port);
    if (existing && (localPort === undefined || existing.localPort === localPort)) return existing;
    const forward = await PortForward.start({ daemon, containerId, port, localPort, log: this.log }, signal);
    if (this.disposed) {
      await forward.stop();
      throw new DockerLevelsError('cancelled', 'Port forwarding has stopped.');
    }
    const key = `${forward.id}@${forward.localPort}`;
    this.running.set(key, forward);
    // The first failed connection says why (nothing listening, ...); later ones go to the log.
    let told = false;
    forward.onDidFailConnection((error) => {
      if (!told) { told = true; this.onProblem(error); }
    });
    forward.onDidChange(() => this.changeListeners.fire());
    forward.onDidStop(() => {
      this.running.delete(key);
      if (forward.stopReason) this.onProblem(new DockerLevelsError(forward.stopReason.kind, `Port forward ${forward.address} stopped: ${forward.stopReason.message}`, forward.stopReason.hint));
      this.changeListeners.fire();
    });
    this.changeListeners.fire();
    return forward;
  }

  list(): readonly PortForward[] {
    return [...this.running.values()];
  }

  onDidChange(listener: () => void): Disposable {
    return this.changeListeners.add(listener);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.list().map((f) => f.stop()));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.stopAll();
    this.changeListeners.clear();
  }
}

/** Opens a forward's page in the browser, also from a remote window or code-server. */
export async function openForwardInBrowser(forward: PortForward): Promise<vscode.Uri> {
  const uri = await vscode.env.asExternalUri(vscode.Uri.parse(forward.url));
  await vscode.env.openExternal(uri);
  return uri;
}
