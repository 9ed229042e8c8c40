import type { DaemonLevel } from '../levels/daemonLevel';

/** The bridge and address pool a new level's daemon gets, so no subnet collides with a level above. */
export interface SubnetPlan {
  bip: string;
  addressPool: string;
  daemonArgs: string[];
}

function secondOctets(subnets: string[], first: number): Set<number> {
  const used = new Set<number>();
  for (const s of subnets) {
    const [a, b] = s.split('/')[0].split('.').map(Number);
    if (a === first) used.add(b);
  }
  return used;
}

/**
 * Picks 172.X.0.1/16 and a 10.Y.0.0/16 pool that no ancestor daemon uses. A daemon only avoids
 * subnets its own namespace sees, so without this level 2 takes 172.17.0.0/16 again and TCP
 * from the host to it breaks.
 */
export function planSubnets(usedSubnets: string[], depth: number): SubnetPlan {
  const used172 = secondOctets(usedSubnets, 172);
  const used10 = secondOctets(usedSubnets, 10);
  let x = 17 + depth;
  while (used172.has(x) && x < 31) x++;
  if (x > 31 || used172.has(x)) x = [...Array(15).keys()].map((i) => 17 + i).find((i) => !used172.has(i)) ?? 31;
  let y = 100 + depth;
  while (used10.has(y) && y < 254) y++;
  const bip = `172.${x}.0.1/16`;
  const addressPool = `base=10.${y}.0.0/16,size=24`;
  return { bip, addressPool, daemonArgs: ['--bip', bip, '--default-address-pool', addressPool] };
}

/** Subnets of every network on `daemon` and on each level above it. */
export async function subnetsAbove(daemon: DaemonLevel, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  for (let d: DaemonLevel | undefined = daemon; d; d = d.parent) {
    const level = d;
    // Bounded GET; the answer is untrusted, so only well-formed subnet strings are taken.
    const networks = await level.getJson('Listing networks', '/networks', signal);
    for (const n of Array.isArray(networks) ? networks : []) {
      const config = (n as { IPAM?: { Config?: unknown } } | null)?.IPAM?.Config;
      for (const c of Array.isArray(config) ? config : []) {
        const subnet = (c as { Subnet?: unknown } | null)?.Subnet;
        if (typeof subnet === 'string' && subnet.length <= 64) out.push(subnet);
      }
    }
  }
  return out;
}
