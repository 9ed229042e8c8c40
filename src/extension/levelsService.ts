import * as vscode from 'vscode';
import {
  classifyError, DaemonLevel, DockerLevelsError, endpointFromSetting, Levels, Logger, resolveLocalEndpoint, RootEndpoint,
} from '../core';
import { DockerLevelsSettings, endpointSettingText } from './settings';

/** A root as configured: reachable or not, it has a place in the tree. */
export interface RootEntry {
  id: string;
  label: string;
  level?: DaemonLevel;
  /** Why this root could not even be set up (a malformed endpoint, an unknown context). */
  error?: DockerLevelsError;
  /** True for a root that comes from dockerLevels.endpoints (it can be removed there). */
  fromSettings: boolean;
  url?: string;
}

/**
 * Owns the core's level registry for the extension: roots from the local environment and
 * settings, rebuilt when connection settings change.
 */
export class LevelsService implements vscode.Disposable {
  private levels: Levels;
  private entries: RootEntry[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the roots were rebuilt (every node below them is stale). */
  readonly onDidChangeRoots = this.changed.event;

  constructor(private settings: DockerLevelsSettings, private readonly log: Logger) {
    this.levels = this.create();
  }

  get registry(): Levels {
    return this.levels;
  }

  get current(): DockerLevelsSettings {
    return this.settings;
  }

  roots(): readonly RootEntry[] {
    return this.entries;
  }

  private create(): Levels {
    const endpoints: RootEndpoint[] = [];
    const entries: RootEntry[] = [];
    try {
      const local = resolveLocalEndpoint();
      endpoints.push(local);
      entries.push({ id: local.id, label: local.label, fromSettings: false, url: local.url });
    } catch (err) {
      entries.push({ id: 'local', label: 'local', error: classifyError(err), fromSettings: false });
    }
    for (const setting of this.settings.endpoints) {
      try {
        const e = endpointFromSetting(setting);
        if (endpoints.some((x) => x.id === e.id)) continue;
        endpoints.push(e);
        entries.push({ id: e.id, label: e.label, fromSettings: true, url: e.url });
      } catch (err) {
        const label = setting.name || endpointSettingText(setting);
        entries.push({ id: `settings-${label}`, label, error: classifyError(err), fromSettings: true, url: endpointSettingText(setting) });
      }
    }
    const levels = new Levels(endpoints, {
      timeoutMs: this.settings.connectTimeoutMs, transportOrder: this.settings.transportOrder, log: this.log,
    });
    for (const entry of entries) entry.level = levels.roots().find((r) => r.root.id === entry.id);
    this.entries = entries;
    return levels;
  }

  /** Applies new settings; connections are rebuilt only when they depend on what changed. */
  update(settings: DockerLevelsSettings, reconnect: boolean): void {
    const before = connectionSettings(this.settings);
    this.settings = settings;
    // VS Code may report one settings write more than once: rebuilding for values that did
    // not change would close every open level under whatever is using it right now.
    if (!reconnect || connectionSettings(settings) === before) return;
    const old = this.levels;
    this.levels = this.create();
    old.dispose();
    this.changed.fire();
  }

  /** Finds an open level by id (roots included). */
  level(id: string): DaemonLevel | undefined {
    return this.levels.get(id);
  }

  dispose(): void {
    this.levels.dispose();
    this.changed.dispose();
  }
}

/** What the connections are made from: a change here, and only here, rebuilds them. */
function connectionSettings(s: DockerLevelsSettings): string {
  return JSON.stringify([s.endpoints, s.transportOrder, s.connectTimeoutMs]);
}
