/**
 * Counts every HTTP request the process makes, by kind ("GET /containers/{id}/json"), from
 * Node's own `http.client.request.start` diagnostics channel: whatever client made it
 * (dockerode, the core's lean GET path, a tunnel), independent of the code under test.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

export interface RecordedRequest {
  kind: string;
  method: string;
  /** The path with the API version and query removed, IDs kept. */
  path: string;
  /** 64-hex IDs named in the path. */
  ids: string[];
  /** Where the request went: host:port, a socket path, or "agent" for a tunnel. */
  target: string;
  at: number;
}

const HEX_ID = /\b[0-9a-f]{64}\b/g;
const recorders = new Set<RecordedRequest[]>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  subscribe('http.client.request.start', (message) => {
    if (!recorders.size) return;
    const request = (message as { request: ClientRequest & { socketPath?: string; agent?: object } }).request;
    const method = request.method;
    const path = request.path.split('?')[0].replace(/^\/v\d+\.\d+/, '');
    const ids = path.match(HEX_ID) ?? [];
    const tunnel = request.agent?.constructor.name === 'ExecTunnelAgent';
    const target = tunnel ? 'agent' : request.socketPath ?? String(request.getHeader('host') ?? request.host);
    const r: RecordedRequest = { kind: `${method} ${path.replace(HEX_ID, '{id}')}`, method, path, ids, target, at: Date.now() };
    for (const list of recorders) list.push(r);
  });
}

/** Records requests until `stop()`. */
export function recordRequests(): { requests: RecordedRequest[]; stop(): RecordedRequest[] } {
  install();
  const requests: RecordedRequest[] = [];
  recorders.add(requests);
  return { requests, stop: () => { recorders.delete(requests); return requests; } };
}

/** Counts per kind, most frequent first. */
export function countByKind(requests: readonly RecordedRequest[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}
