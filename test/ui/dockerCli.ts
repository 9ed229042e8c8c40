// The docker CLI as the UI test's independent witness: what each level really holds, asked
// through `docker exec` chains (as people do by hand), and the containers the test creates,
// removed again whatever happens.
import { execFile, spawnSync } from 'node:child_process';

export const DIND_IMAGE = 'docker-levels-test/dind:latest';
export const LEAF_IMAGE = 'docker-levels-test/leaf:latest';

/**
 * What `--privileged` amounts to where the kernel refuses it ("unable to apply caps"): the
 * same set as test/testbed/bed.sh FALLBACK_FLAGS.
 */
export const FALLBACK_FLAGS = [
  '--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE',
  '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined',
  '--security-opt', 'systempaths=unconfined',
  '--device-cgroup-rule', 'a *:* rwm',
];

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; never rejects (the caller looks at the code). */
export function run(file: string, args: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: stdout ?? '', stderr: stderr ?? (err ? String(err) : '') });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** argv of `docker ARGS` at the daemon inside the last container of `chain` (empty: the host). */
export function dockerArgv(chain: readonly string[], args: readonly string[]): string[] {
  return [...chain.flatMap((c) => ['exec', '-i', c, 'docker']), ...args];
}

/** `docker ARGS` at a level; throws with the CLI's message when it fails. */
export async function dockerAt(chain: readonly string[], args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const argv = dockerArgv(chain, args);
  const r = await run('docker', argv, { timeoutMs });
  if (r.code !== 0) throw new Error(`docker ${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** name → short ID of every container (`ps -a`) at a level. */
export async function containersAt(chain: readonly string[]): Promise<Map<string, string>> {
  const out = await dockerAt(chain, ['ps', '-a', '--format', '{{.Names}} {{.ID}}']);
  return new Map(out.split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/) as [string, string]));
}

export async function shortIdAt(chain: readonly string[], name: string): Promise<string> {
  return (await dockerAt(chain, ['inspect', '-f', '{{.Id}}', name])).trim().slice(0, 12);
}

/**
 * Every container the test creates, with the chain of the daemon that runs it. removeAll()
 * is idempotent; removeAllSync() is for process 'exit', when nothing async runs any more.
 */
export class CreatedContainers {
  private readonly created: Array<{ chain: string[]; name: string }> = [];

  add(chain: readonly string[], name: string): void {
    if (!this.created.some((c) => c.name === name && c.chain.join('/') === chain.join('/'))) this.created.push({ chain: [...chain], name });
  }

  /** Forgets a container that the test itself removed (through the UI). */
  forget(name: string): void {
    const i = this.created.findIndex((c) => c.name === name);
    if (i >= 0) this.created.splice(i, 1);
  }

  get names(): string[] {
    return this.created.map((c) => c.name);
  }

  /** Removes, deepest first, every container still recorded; returns what could not be removed. */
  async removeAll(): Promise<string[]> {
    const failed: string[] = [];
    for (const c of [...this.created].sort((a, b) => b.chain.length - a.chain.length)) {
      const r = await run('docker', dockerArgv(c.chain, ['rm', '-fv', c.name]), { timeoutMs: 60_000 });
      // A container below one already removed is gone with it (its daemon is gone).
      if (r.code === 0 || /No such container|is not running|No such file/i.test(r.stderr)) this.forget(c.name);
      else failed.push(`${c.name}: ${r.stderr.trim()}`);
    }
    return failed;
  }

  removeAllSync(): void {
    for (const c of [...this.created].sort((a, b) => b.chain.length - a.chain.length)) {
      spawnSync('docker', dockerArgv(c.chain, ['rm', '-fv', c.name]), { stdio: 'ignore', timeout: 30_000 });
    }
    this.created.length = 0;
  }
}

/**
 * Starts a dind container on the daemon at `chain` the way test/testbed/up.sh does:
 * --privileged first, and where the kernel refuses it, the equivalent flag set.
 */
export async function runDind(chain: readonly string[], name: string, runArgs: readonly string[], command: readonly string[]): Promise<'privileged' | 'capabilities'> {
  const base = ['run', '-d', '--name', name, '--label', 'docker-levels-test=ui', ...runArgs];
  const first = await run('docker', dockerArgv(chain, [...base, '--privileged', DIND_IMAGE, ...command]));
  if (first.code === 0) return 'privileged';
  if (!/unable to apply caps/.test(first.stderr)) throw new Error(`cannot start ${name}: ${first.stderr.trim()}`);
  await run('docker', dockerArgv(chain, ['rm', '-fv', name]));
  await dockerAt(chain, [...base, ...FALLBACK_FLAGS, DIND_IMAGE, ...command]);
  return 'capabilities';
}

/** Streams an image from the host into the daemon at `chain` (save | exec -i … load). */
export async function loadImageAt(chain: readonly string[], image: string): Promise<void> {
  const load = dockerArgv(chain, ['load']).map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = await run('bash', ['-c', `set -o pipefail; docker save '${image}' | docker ${load}`], { timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`loading ${image} into ${chain.join('/')} failed: ${r.stderr.trim()}`);
}
