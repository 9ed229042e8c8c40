/**
 * A FAKE Docker daemon for the archive endpoints: an HTTP server on 127.0.0.1 only, listing
 * containers whose GET /containers/{id}/archive answers with a tar a hostile level would send
 * (names that climb out, absolute names, symlinks out) or stalls mid-stream (or, for a PUT,
 * stops reading). A real dockerd
 * cannot be made to send either, so this is a fake (as fakeLyingDaemon.ts is for listings).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as tar from 'tar-stream';

export interface FakeArchive {
  /** What HEAD says of the path. */
  kind: 'file' | 'directory';
  size?: number;
  /** The tar GET sends. */
  tar: Buffer;
  /** Send this many bytes of `tar`, then nothing more (the connection stays open). */
  stallAfter?: number;
}

export interface FakeArchiveDaemon {
  readonly url: string;
  /** Every PUT body received, by "container:path". */
  readonly puts: () => { target: string; body: Buffer }[];
  close(): Promise<void>;
}

// Go's os.FileMode directory bit, as the daemon sends it in the path stat.
const GO_MODE_DIR = 2 ** 31;

/** A tar made of the given entries, in order. */
export async function makeTar(entries: { name: string; type?: tar.Header['type']; linkname?: string; body?: string | Buffer }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = { name: e.name, type, linkname: e.linkname, mode: type === 'directory' ? 0o755 : 0o644 };
    if (type === 'file') pack.entry(header, e.body ?? '');
    else pack.entry(header, '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Serves `containers` by name; `archives(path)` answers GET/HEAD of a path in any of them. */
export async function startFakeArchiveDaemon(containers: string[], archives: (path: string) => FakeArchive | undefined,
  options: { stallPuts?: boolean } = {}): Promise<FakeArchiveDaemon> {
  const ids = new Map(containers.map((name, i) => [`${String(i + 1).padStart(2, '0')}${'f'.repeat(62)}`, name]));
  const puts: { target: string; body: Buffer }[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const json = (code: number, body: unknown) => res.writeHead(code, { 'Content-Type': 'application/json', 'Api-Version': '1.41' }).end(JSON.stringify(body));
    const p = url.pathname.replace(/^\/v[\d.]+/, '');
    if (p === '/_ping') return void res.writeHead(200, { 'Api-Version': '1.41' }).end('OK');
    if (p === '/version') return json(200, { ApiVersion: '1.41', Version: '20.10.24' });
    if (p === '/info') return json(200, { ID: 'FAKE:archive', Name: 'fake-archive', ServerVersion: '20.10.24' });
    if (p === '/containers/json') {
      return json(200, [...ids].map(([Id, name]) => ({ Id, Names: [`/${name}`], Image: 'fake', State: 'running', Status: 'Up', Command: 'sleep', Labels: {}, Ports: [] })));
    }
    if (p === '/events') return void res.writeHead(200, { 'Content-Type': 'application/json' });
    const m = /^\/containers\/([0-9a-f]+)\/(archive|json)$/.exec(p);
    if (!m || !ids.has(m[1])) return json(404, { message: 'no such container' });
    if (m[2] === 'json') return json(200, { Id: m[1], Name: `/${ids.get(m[1])}`, State: { Running: true, Status: 'running' }, Config: { Env: [], Labels: {} }, HostConfig: {}, Mounts: [] });
    const path = url.searchParams.get('path') ?? '/';
    if (req.method === 'PUT' && options.stallPuts) return void req.pause(); // reads nothing, answers never
    if (req.method === 'PUT') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { puts.push({ target: `${ids.get(m[1])}:${path}`, body: Buffer.concat(chunks) }); res.writeHead(200).end(); });
      req.on('error', () => { puts.push({ target: `${ids.get(m[1])}:${path}`, body: Buffer.concat(chunks) }); });
      return;
    }
    const a = archives(path);
    if (!a) return json(404, { message: `Could not find the file ${path} in container ${m[1]}` });
    const name = path.split('/').filter(Boolean).pop() ?? '/';
    const stat = Buffer.from(JSON.stringify({
      name, size: a.size ?? a.tar.length, mode: a.kind === 'directory' ? GO_MODE_DIR + 0o755 : 0o644, mtime: new Date().toISOString(), linkTarget: '',
    })).toString('base64');
    res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': stat });
    if (req.method === 'HEAD') return void res.end();
    if (a.stallAfter === undefined) return void res.end(a.tar);
    // Stalls: the level sends part of the tar and then nothing, with the connection open.
    res.write(a.tar.subarray(0, a.stallAfter));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    puts: () => puts,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
