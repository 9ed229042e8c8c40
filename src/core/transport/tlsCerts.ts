import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import * as tar from 'tar-stream';
import { withDeadline } from '../abort';
import { DockerLevelsError } from '../errors';
import type { TlsMaterial } from '../endpoints/endpoint';
import { MAX_ARCHIVE_BYTES, MAX_CLIENT_CERTS_EXEC_BYTES, TOO_LARGE_HINT } from '../untrusted/limits';
import { checkExecCreate } from '../untrusted/engineShapes';
import { checkPemFile, PemKind } from '../untrusted/pemShapes';
import { jsonRequestFor } from './jsonRequest';
import { demuxFrames } from './frameDemux';

/** Where docker:dind writes its client certificates. */
export const DIND_CLIENT_CERT_DIR = '/certs/client';

/**
 * How the certificates are read: one exec that prints the three files (`sh` and `cat` in the
 * container), or the archive API (GET /containers/{id}/archive, no program needed). `auto`
 * execs and falls back to the archive where the exec cannot run. dockerd 20.10 serves archive
 * reads one after another; execs of many containers overlap (bench item 14).
 */
export type CertificateRoute = 'auto' | 'exec' | 'archive';

const FILES: readonly { name: 'ca.pem' | 'cert.pem' | 'key.pem'; kind: PemKind }[] = [
  { name: 'ca.pem', kind: 'certificate' }, { name: 'cert.pem', kind: 'certificate' }, { name: 'key.pem', kind: 'privateKey' },
];

/** The exec could not run its script (no sh or cat, a missing file): the archive read says why, or succeeds. */
class ExecRouteUnavailable extends Error {}

/**
 * Reads ca.pem, cert.pem and key.pem from a container through the parent daemon, each checked
 * to be PEM of its kind. The material stays in memory: it is never written to disk or logged.
 */
export async function readClientCertsFromContainer(parent: Docker, containerId: string, timeoutMs: number,
  signal?: AbortSignal, dir = DIND_CLIENT_CERT_DIR, route: CertificateRoute = 'auto'): Promise<TlsMaterial> {
  return withDeadline(timeoutMs, `Reading TLS client certificates from ${containerId.slice(0, 12)}`, signal, async (s) => {
    let files: Map<string, Buffer> | undefined;
    if (route !== 'archive') {
      try {
        files = await readByExec(parent, containerId, dir, timeoutMs, s);
      } catch (err) {
        if (!(err instanceof ExecRouteUnavailable) || route === 'exec' || s.aborted) throw err;
      }
    }
    files ??= await readByArchive(parent, containerId, dir, s);
    const [ca, cert, key] = FILES.map((f) => checkPemFile(`${dir}/${f.name}`, files!.get(f.name)!, f.kind));
    return { ca, cert, key, skipHostnameCheck: true };
  });
}

/**
 * One exec: `sh -c` cats each file and then a line with a marker chosen per call, so the three
 * files are told apart whatever they hold, and a file that cannot be read ends the output early.
 */
const SCRIPT = 'for f do cat -- "$f" || exit 1; printf \'\\n%s\\n\' "$0"; done';

async function readByExec(parent: Docker, containerId: string, dir: string, timeoutMs: number, signal: AbortSignal): Promise<Map<string, Buffer>> {
  const marker = `dl-certs-${randomBytes(12).toString('hex')}`;
  let output: Buffer;
  try {
    output = await execOutput(parent, containerId, ['sh', '-c', SCRIPT, marker, ...FILES.map((f) => `${dir}/${f.name}`)], timeoutMs, signal);
  } catch (err) {
    if (signal.aborted || (err instanceof DockerLevelsError && err.kind === 'notADaemon')) throw err;
    throw new ExecRouteUnavailable(String(err));
  }
  const parts = splitByMarker(output, marker);
  if (!parts) throw new ExecRouteUnavailable('the exec did not print every file');
  return new Map(FILES.map((f, i) => [f.name, parts[i]]));
}

/** Stdout of a short exec, bounded; stderr is dropped (the archive read explains failures). */
async function execOutput(parent: Docker, containerId: string, cmd: string[], timeoutMs: number, signal: AbortSignal): Promise<Buffer> {
  // Bounded and shape-checked, like every answer of a daemon (the parent is a level too).
  const created = await jsonRequestFor(parent)('POST', `/containers/${encodeURIComponent(containerId)}/exec`, {
    body: { Cmd: cmd, AttachStdout: true, AttachStderr: true }, timeoutMs, what: `Creating an exec in ${containerId.slice(0, 12)}`, signal,
  });
  const exec = parent.getExec(checkExecCreate(created, `daemon above ${containerId.slice(0, 12)}`));
  const stream = await exec.start({ hijack: true, stdin: false, abortSignal: signal } as Docker.ExecStartOptions) as unknown as NodeJS.ReadableStream & { destroy(): void };
  return new Promise<Buffer>((resolve, reject) => {
    const out: Buffer[] = [];
    let bytes = 0;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes <= MAX_CLIENT_CERTS_EXEC_BYTES) { out.push(c); return; }
      stream.destroy();
      reject(new DockerLevelsError('notADaemon',
        `The certificates printed by the container passed ${MAX_CLIENT_CERTS_EXEC_BYTES / 1024} KB; stopped reading.`, TOO_LARGE_HINT));
    });
    stderr.resume();
    demuxFrames(stream, stdout, stderr);
    const done = () => resolve(Buffer.concat(out));
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', reject);
    signal.addEventListener('abort', () => stream.destroy(), { once: true });
  });
}

/** The three files, or undefined when the output does not end with the third marker line. */
export function splitByMarker(output: Buffer, marker: string): Buffer[] | undefined {
  const line = Buffer.from(`\n${marker}\n`);
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < FILES.length; i++) {
    const at = output.indexOf(line, from);
    if (at < 0) return undefined;
    parts.push(output.subarray(from, at));
    from = at + line.length;
  }
  return from === output.length ? parts : undefined;
}

async function readByArchive(parent: Docker, containerId: string, dir: string, signal: AbortSignal): Promise<Map<string, Buffer>> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await parent.getContainer(containerId).getArchive({ path: dir, abortSignal: signal });
  } catch (err) {
    throw new DockerLevelsError('tls', `The container has no TLS client certificates at ${dir}.`,
      'Start it with DOCKER_TLS_CERTDIR set (docker:dind does by default), or use another transport.', err);
  }
  const files = await extractFiles(archive, FILES.map((f) => f.name));
  const missing = FILES.map((f) => f.name).filter((f) => !files.has(f));
  if (missing.length) {
    throw new DockerLevelsError('tls', `${dir} in the container lacks ${missing.join(', ')}.`,
      'The daemon may still be generating its certificates; retry in a moment.');
  }
  return files;
}

function extractFiles(archive: NodeJS.ReadableStream, wanted: string[]): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const found = new Map<string, Buffer>();
    const extract = tar.extract();
    let received = 0;
    const tooLarge = () => {
      (archive as { destroy?: () => void }).destroy?.();
      extract.destroy();
      reject(new DockerLevelsError('notADaemon',
        `The certificate archive passed ${MAX_ARCHIVE_BYTES / 1024} KB; stopped reading.`, TOO_LARGE_HINT));
    };
    extract.on('entry', (header, stream, next) => {
      const base = header.name.split('/').pop() ?? '';
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        received += (c as Buffer).length;
        if (received > MAX_ARCHIVE_BYTES) return tooLarge();
        if (wanted.includes(base) && header.type === 'file') chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        if (chunks.length) found.set(base, Buffer.concat(chunks));
        next();
      });
      stream.resume();
    });
    extract.on('finish', () => resolve(found));
    extract.on('error', reject);
    archive.on('error', reject);
    archive.pipe(extract);
  });
}
