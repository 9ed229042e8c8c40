import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerLevelsError } from '../errors';
import { answers } from './privateSocket';

/** What a running forwarder process tells others about itself (no secrets: a path and a pid). */
export interface ForwarderRecord {
  pid: number;
  /** DaemonLevel.id: the root's id, then the full container IDs. */
  levelId: string;
  /** The root endpoint as the user wrote it. */
  rootUrl: string;
  /** Container names from the root, e.g. "l1/l2/l3". */
  path: string;
  /** The path as it was asked for, normalised (may use ID prefixes). */
  requested: string;
  socketPath: string;
  dockerHost: string;
  startedAt: string;
}

/**
 * The per-user directory for forwarder records: $XDG_RUNTIME_DIR/docker-levels when that is
 * set, else docker-levels-UID in the temp dir.
 */
export function forwarderRuntimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'docker-levels');
  const uid = typeof process.getuid === 'function' ? process.getuid() : os.userInfo().username;
  return path.join(os.tmpdir(), `docker-levels-${uid}`);
}

/** True while a process with this pid exists (EPERM: it exists, but is someone else's). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Running forwarder processes of this user, one JSON file per level, so `docker-levels env`
 * finds the forwarder that `docker-levels forward` (in another terminal, or in the background)
 * started. A record counts only while its pid lives and its socket answers.
 */
export class ForwarderRegistry {
  constructor(readonly dir = forwarderRuntimeDir()) {}

  /**
   * Creates the directory (0700) or checks that an existing one is a real directory of this
   * user that nobody else can write, since others could otherwise plant records there.
   */
  ensureDir(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(this.dir);
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
      throw new DockerLevelsError('permission', `${this.dir} is not a private directory of this user.`,
        'Remove it, or set XDG_RUNTIME_DIR to a private directory.');
    }
  }

  fileFor(levelId: string): string {
    return path.join(this.dir, `${createHash('sha256').update(levelId).digest('hex').slice(0, 24)}.json`);
  }

  /** Writes the record atomically, readable by this user only. */
  register(record: ForwarderRecord): void {
    this.ensureDir();
    const file = this.fileFor(record.levelId);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  /** Removes the record of a level, only if it is still the one of `pid`. */
  unregister(levelId: string, pid = process.pid): void {
    const file = this.fileFor(levelId);
    if (readRecord(file)?.pid === pid) fs.rmSync(file, { force: true });
  }

  /** Every record on file, whether or not its process still runs. */
  records(): ForwarderRecord[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    return names.map((n) => readRecord(path.join(this.dir, n))).filter((r): r is ForwarderRecord => !!r);
  }

  /**
   * Records of forwarders that serve right now; records of dead ones are removed on the way
   * (a process killed with SIGKILL cannot clean up after itself).
   */
  async live(): Promise<ForwarderRecord[]> {
    const result: ForwarderRecord[] = [];
    for (const record of this.records()) {
      if (isProcessAlive(record.pid) && await answers(record.socketPath)) {
        result.push(record);
      } else {
        const file = this.fileFor(record.levelId);
        if (readRecord(file)?.pid === record.pid) fs.rmSync(file, { force: true });
      }
    }
    return result;
  }

  /**
   * Runs `work` while holding this user's registry lock, so two `env` calls for one level do
   * not start two forwarders. A lock whose holder died is taken over.
   */
  async withLock<T>(work: () => Promise<T>, waitMs = 120_000): Promise<T> {
    this.ensureDir();
    const lock = path.join(this.dir, 'registry.lock');
    const until = Date.now() + waitMs;
    for (;;) {
      try {
        fs.writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST') throw err;
        const holder = Number(readText(lock));
        if (holder && !isProcessAlive(holder)) {
          fs.rmSync(lock, { force: true });
          continue;
        }
        if (Date.now() > until) {
          throw new DockerLevelsError('timeout', `Another docker-levels process (pid ${holder}) holds ${lock}.`,
            'Wait for it, or remove the file if no such process runs.');
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    try {
      return await work();
    } finally {
      if (Number(readText(lock)) === process.pid) fs.rmSync(lock, { force: true });
    }
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readRecord(file: string): ForwarderRecord | undefined {
  const text = readText(file);
  if (!text) return undefined;
  try {
    const r = JSON.parse(text) as Partial<ForwarderRecord>;
    if (typeof r.pid === 'number' && typeof r.levelId === 'string' && typeof r.socketPath === 'string' && typeof r.dockerHost === 'string') {
      return r as ForwarderRecord;
    }
  } catch {
    // A torn or foreign file is no record.
  }
  return undefined;
}
