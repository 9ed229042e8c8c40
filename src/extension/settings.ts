import * as vscode from 'vscode';
import { DEFAULT_WALK_DEPTH, NESTED_TRANSPORTS, NestedTransportKind } from '../core';

/** An entry of dockerLevels.endpoints: a daemon address, or a command that speaks the Engine API. */
export interface EndpointSetting {
  name?: string;
  url?: string;
  command?: string[];
}

/** How an entry shows, and what matches it to its root (the root's url: see endpointFromSetting). */
export function endpointSettingText(e: EndpointSetting): string {
  return e.url ?? `command: ${(e.command ?? []).join(' ')}`;
}

/** Every setting of the extension, typed; read only through `readSettings`. */
export interface DockerLevelsSettings {
  endpoints: EndpointSetting[];
  dindImage: string;
  transportOrder: NestedTransportKind[];
  connectTimeoutMs: number;
  confirmPrivileged: boolean;
  showStoppedContainers: boolean;
  publishNestedPort: boolean;
  /** Levels below a root the tree opens; deeper dind containers show a note instead. */
  maxDepth: number;
  /** Containers of a level grouped by their compose project label. */
  groupByComposeProject: boolean;
  /** Live CPU and memory on the running container rows that are shown. */
  showContainerCost: boolean;
}

export const SECTION = 'dockerLevels';
const DEFAULT_IMAGE = 'docker:dind';

/**
 * Reads the settings. In an untrusted workspace, endpoints and the image come from user
 * settings only: a repository must not point the extension at another daemon or image.
 */
export function readSettings(trusted = vscode.workspace.isTrusted): DockerLevelsSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const userOnly = <T>(key: string, fallback: T): T => {
    if (trusted) return c.get<T>(key, fallback);
    const i = c.inspect<T>(key);
    return i?.globalValue ?? i?.defaultValue ?? fallback;
  };
  const order = c.get<string[]>('transportOrder', [...NESTED_TRANSPORTS])
    .filter((t): t is NestedTransportKind => NESTED_TRANSPORTS.includes(t as NestedTransportKind));
  return {
    endpoints: userOnly<EndpointSetting[]>('endpoints', []).filter((e) => e && (typeof e.url === 'string' || Array.isArray(e.command))),
    dindImage: userOnly<string>('dindImage', DEFAULT_IMAGE).trim() || DEFAULT_IMAGE,
    transportOrder: order.length ? order : [...NESTED_TRANSPORTS],
    connectTimeoutMs: Math.max(500, c.get<number>('connectTimeoutMs', 10_000)),
    confirmPrivileged: c.get<boolean>('confirmPrivileged', true),
    showStoppedContainers: c.get<boolean>('showStoppedContainers', true),
    publishNestedPort: c.get<boolean>('publishNestedPort', true),
    maxDepth: wholeNumber(c.get<number>('maxDepth', DEFAULT_WALK_DEPTH), DEFAULT_WALK_DEPTH),
    groupByComposeProject: c.get<boolean>('groupByComposeProject', true),
    showContainerCost: c.get<boolean>('showContainerCost', false),
  };
}

/** Settings whose change needs new connections (the others only need a tree refresh). */
export const CONNECTION_KEYS = ['endpoints', 'transportOrder', 'connectTimeoutMs'].map((k) => `${SECTION}.${k}`);

function wholeNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}
