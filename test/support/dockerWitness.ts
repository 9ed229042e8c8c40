// The docker CLI as an independent witness of what each level holds, and the built CLI: what
// the integration tests compare the code under test with.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
/** The test images (built by test/testbed/setup.sh, never pulled). */
export const DIND_IMAGE = 'docker-levels-test/dind:latest';
export const LEAF_IMAGE = 'docker-levels-test/leaf:latest';

export interface CliOptions {
  /** DOCKER_HOST for the outermost CLI (our own dockerd); the local daemon when unset. */
  host?: string;
  input?: string | Buffer;
  timeoutMs?: number;
}

/** `docker ARGS` run at the daemon inside `chain` (outermost first), by chaining `docker exec`. */
export function dockerIn(chain: readonly string[], args: readonly string[], options: CliOptions = {}): string {
  const argv = [...chain.flatMap((c) => ['exec', '-i', c, 'docker']), ...args];
  const env = { ...process.env };
  if (options.host) env.DOCKER_HOST = options.host; else delete env.DOCKER_HOST;
  delete env.DOCKER_CONTEXT;
  const r = spawnSync('docker', argv, { input: options.input, env, encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`docker ${argv.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

/** `docker ps -a` at a level: full ID → name. */
export function containersIn(chain: readonly string[], options: CliOptions = {}): Map<string, string> {
  const out = dockerIn(chain, ['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}}'], options);
  return new Map(out.trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}

/** Runs the built CLI with extra environment (and `input` on its stdin). */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO, 'out', 'cli.js'), ...args], {
    input, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
