/** What every measured item gets: the bed, a long-lived Levels, the opened bed levels, a log. */
import { execFile } from 'node:child_process';
import type { DaemonLevel, ExecTunnelAgent, Levels } from '../../src/core';
import type { Bed } from '../integration/testBed';
import { RawHttpConnection } from './rawHttp';
import { timeMs } from './stats';

export interface BenchContext {
  bed: Bed;
  levels: Levels;
  /** The bed's daemons by depth: [host, level 1, level 2, level 3]. */
  daemons: DaemonLevel[];
  /** Extra data for the JSON, per item. */
  details: Record<string, unknown>;
  log(message: string): void;
}

/** The dind containers from the host down to a depth, e.g. depth 3 is [l1, l2, l3]. */
export function chainTo(bed: Bed, depth: number): string[] {
  return [bed.l1.name, bed.l2.name, bed.l3.name].slice(0, depth);
}

/** A raw connection over the same transport the core uses for `level`. */
export async function rawConnectionTo(level: DaemonLevel): Promise<RawHttpConnection> {
  const c = level.connection;
  if (c.kind === 'unix') return RawHttpConnection.unix(c.socketPath);
  if (c.kind === 'tcp' && c.tls) return RawHttpConnection.tls(c.host, c.port, c.tls);
  if (level.transport.kind === 'tunnel') {
    const agent = (level.docker.modem as unknown as { agent: ExecTunnelAgent }).agent;
    return new RawHttpConnection(await agent.openStream());
  }
  const route = /^tcp:\/\/([^:/]+):(\d+)/.exec(level.transport.tcpRoute ?? '');
  if (!route) throw new Error(`no raw route to ${level.what}`);
  return RawHttpConnection.tcp(route[1], Number(route[2]));
}

/** Runs the docker CLI; resolves with stdout (throws on a non-zero exit). */
export function docker(args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { timeout: timeoutMs, maxBuffer: 256 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`docker ${args.join(' ')}: ${stderr || err.message}`)); else resolve(stdout);
    });
  });
}

/** `docker exec -i L1 docker exec -i L2 … docker ARGS`: the chain users type today. */
export function chainArgs(chain: readonly string[], args: string[]): string[] {
  return [...chain.flatMap((c) => ['exec', '-i', c, 'docker']), ...args];
}

export async function timeDocker(args: string[]): Promise<number> {
  return timeMs(() => docker(args));
}
