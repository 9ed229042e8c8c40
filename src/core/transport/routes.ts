import * as net from 'node:net';
import * as os from 'node:os';

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
}

/**
 * True when `ip` lies in the subnet of one of this machine's own interfaces, so traffic to it
 * never leaves the machine (a container bridge). Anything else would go out through the
 * default route, which Docker Levels never does on a guess.
 */
export function isOnLocalInterface(ip: string, interfaces = os.networkInterfaces()): boolean {
  if (!net.isIPv4(ip)) return false;
  if (ip.startsWith('127.')) return true;
  const target = ipv4ToInt(ip);
  for (const list of Object.values(interfaces)) {
    for (const addr of list ?? []) {
      if (addr.family !== 'IPv4' || addr.internal) continue;
      const mask = ipv4ToInt(addr.netmask);
      if ((ipv4ToInt(addr.address) & mask) === (target & mask) && addr.address !== ip) return true;
    }
  }
  return false;
}
