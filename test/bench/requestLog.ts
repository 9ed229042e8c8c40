/**
 * Counts every HTTP request any dockerode client makes, by kind ("GET /containers/{id}/json"),
 * by hooking docker-modem's one request builder. Independent of the code under test.
 */
import Modem from 'docker-modem';

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

type BuildRequest = (this: unknown, options: Record<string, unknown>, ...rest: unknown[]) => unknown;

const HEX_ID = /\b[0-9a-f]{64}\b/g;
const recorders = new Set<RecordedRequest[]>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const proto = (Modem as unknown as { prototype: { buildRequest: BuildRequest } }).prototype;
  const original = proto.buildRequest;
  proto.buildRequest = function (this: unknown, options: Record<string, unknown>, ...rest: unknown[]) {
    if (recorders.size) {
      const method = String(options.method ?? 'GET');
      const path = String(options.path ?? '').split('?')[0].replace(/^\/v\d+\.\d+/, '');
      const ids = path.match(HEX_ID) ?? [];
      const target = options.agent ? 'agent' : options.socketPath ? String(options.socketPath) : `${options.hostname}:${options.port}`;
      const r: RecordedRequest = { kind: `${method} ${path.replace(HEX_ID, '{id}')}`, method, path, ids, target, at: Date.now() };
      for (const list of recorders) list.push(r);
    }
    return original.call(this, options, ...rest);
  };
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
