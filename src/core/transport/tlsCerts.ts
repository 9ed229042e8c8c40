import type Docker from 'dockerode';
import * as tar from 'tar-stream';
import { withDeadline } from '../abort';
import { DockerLevelsError } from '../errors';
import type { TlsMaterial } from '../endpoints/endpoint';
import { MAX_ARCHIVE_BYTES, TOO_LARGE_HINT } from '../untrusted/limits';

/** Where docker:dind writes its client certificates. */
export const DIND_CLIENT_CERT_DIR = '/certs/client';

/**
 * Reads ca.pem, cert.pem and key.pem from a container through the parent daemon's archive
 * API. The material stays in memory: it is never written to disk or logged.
 */
export async function readClientCertsFromContainer(parent: Docker, containerId: string, timeoutMs: number,
  signal?: AbortSignal, dir = DIND_CLIENT_CERT_DIR): Promise<TlsMaterial> {
  return withDeadline(timeoutMs, `Reading TLS client certificates from ${containerId.slice(0, 12)}`, signal, async (s) => {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await parent.getContainer(containerId).getArchive({ path: dir, abortSignal: s });
    } catch (err) {
      throw new DockerLevelsError('tls', `The container has no TLS client certificates at ${dir}.`,
        'Start it with DOCKER_TLS_CERTDIR set (docker:dind does by default), or use another transport.', err);
    }
    const files = await extractFiles(archive, ['ca.pem', 'cert.pem', 'key.pem']);
    const missing = ['ca.pem', 'cert.pem', 'key.pem'].filter((f) => !files.has(f));
    if (missing.length) {
      throw new DockerLevelsError('tls', `${dir} in the container lacks ${missing.join(', ')}.`,
        'The daemon may still be generating its certificates; retry in a moment.');
    }
    return { ca: files.get('ca.pem')!, cert: files.get('cert.pem')!, key: files.get('key.pem')!, skipHostnameCheck: true };
  });
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
