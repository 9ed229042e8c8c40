/**
 * The real nested test bed (test/testbed/up.sh), shared by the integration tests, and small
 * helpers that ask the docker CLI what each level holds, independently of the code under test.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { DaemonLevel, Levels, LevelsOptions, resolveLocalEndpoint } from '../../src/core';
import { containersIn, dockerIn, REPO, runCli } from '../support/dockerWitness';

export { REPO };
const TESTBED = path.join(REPO, 'test', 'testbed');

export interface BedContainer {
  name: string;
  id: string;
  port?: string;
}

export interface Bed {
  privileged: boolean;
  l1: BedContainer;
  tls: BedContainer;
  leaf0: BedContainer;
  l2: BedContainer;
  web1: BedContainer;
  l3: BedContainer;
  web2: BedContainer;
  web3: BedContainer;
  web3Renamed: BedContainer;
}

let bed: Bed | undefined;

export function bringUpBed(): Bed {
  const out = execFileSync('bash', [path.join(TESTBED, 'up.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
  bed = JSON.parse(out) as Bed;
  return bed;
}

export function tearDownBed(): void {
  execFileSync('bash', [path.join(TESTBED, 'down.sh')], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  bed = undefined;
}

export function theBed(): Bed {
  if (!bed) throw new Error('the test bed is not up (hooks.ts brings it up)');
  return bed;
}

/** The dind containers from the root down to a level, e.g. level 3 is [l1, l2, l3]. */
export function bedChain(depth: number): string[] {
  const b = theBed();
  return [b.l1.name, b.l2.name, b.l3.name].slice(0, depth);
}

/** Runs the docker CLI at a level by chaining `docker exec`, as users do by hand today. */
export function dockerAt(chain: string[], args: string[], input?: string | Buffer): string {
  return dockerIn(chain, args, { input, timeoutMs: 120_000 });
}

/** `docker ps -a` at a level: full ID → name. */
export const psAt = (chain: string[]): Map<string, string> => containersIn(chain);

/** A fresh registry over the local daemon, disposed by the caller. */
export function newLevels(options: LevelsOptions = {}): Levels {
  return new Levels([resolveLocalEndpoint()], { timeoutMs: 15_000, ...options });
}

/** Opens the bed's levels down to `depth` through `levels`. */
export async function openBedLevel(levels: Levels, depth: number): Promise<DaemonLevel> {
  let daemon = levels.roots()[0];
  for (const name of bedChain(depth)) {
    const list = await daemon.listContainers();
    const c = list.find((x) => x.Names[0] === `/${name}`);
    if (!c) throw new Error(`${name} not found at depth ${daemon.depth}`);
    daemon = await levels.openLevel(daemon, c.Id);
  }
  return daemon;
}

/** Runs the built CLI. */
export const cli = (args: string[], input?: string): { code: number; stdout: string; stderr: string } => runCli(args, {}, input);

/** Names of containers on the host daemon with a label, to prove nothing is left behind. */
export function hostContainersWithLabel(label: string): string[] {
  return execFileSync('docker', ['ps', '-a', '--filter', `label=${label}`, '--format', '{{.Names}}'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}
