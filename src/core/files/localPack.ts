import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';

/**
 * A tar of a local file or directory, streamed, the top entry named `topName`. Symlinks are
 * stored as symlinks (not followed), as docker cp does; sockets and devices are left out.
 * Returns the stream and a promise that settles when packing ends.
 */
export function packLocalPath(source: string, topName: string): { archive: Readable; done: Promise<{ bytes: number; entries: number }> } {
  const pack = tar.pack();
  let bytes = 0;
  let entries = 0;
  const add = async (abs: string, name: string): Promise<void> => {
    const st = await fs.promises.lstat(abs);
    const common = { name, mode: st.mode & 0o7777, mtime: st.mtime, uid: st.uid, gid: st.gid };
    if (st.isSymbolicLink()) {
      await entry({ ...common, type: 'symlink', linkname: await fs.promises.readlink(abs) });
    } else if (st.isDirectory()) {
      await entry({ ...common, name: `${name}/`, type: 'directory' });
      for (const child of (await fs.promises.readdir(abs)).sort()) await add(path.join(abs, child), `${name}/${child}`);
    } else if (st.isFile()) {
      const out = pack.entry({ ...common, type: 'file', size: st.size } as tar.Header);
      await pipeline(fs.createReadStream(abs), out);
      bytes += st.size;
      entries++;
    }
  };
  const entry = (header: Partial<tar.Header>) => new Promise<void>((resolve, reject) => {
    entries++;
    pack.entry(header as tar.Header, (err) => (err ? reject(err) : resolve()));
  });
  const done = add(source, topName).then(() => {
    pack.finalize();
    return { bytes, entries };
  }, (err: unknown) => {
    pack.destroy(err as Error);
    throw err;
  });
  done.catch(() => undefined);
  return { archive: pack as unknown as Readable, done };
}
