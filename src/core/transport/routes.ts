import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
}

/** The names Docker gives the bridges it creates: the default one, and one per user network. */
const DOCKER_BRIDGE_NAME = /^(docker0|br-[0-9a-f]{12})$/;

/**
 * Whether an interface is a bridge a local Docker daemon created: its name is Docker's and,
 * where sysfs tells, it is a software bridge with no device behind it (a network card never is).
 */
export function isDockerBridge(name: string, sysClassNet = '/sys/class/net'): boolean {
  if (!DOCKER_BRIDGE_NAME.test(name)) return false;
  const dir = `${sysClassNet}/${name}`;
  if (!fs.existsSync(dir)) return process.platform !== 'linux';
  return fs.existsSync(`${dir}/bridge`) && !fs.existsSync(`${dir}/device`);
}

/**
 * True when `ip` is loopback, or lies in the subnet of a bridge that a local Docker daemon
 * created (a level-1 container's address). A physical card's subnet is the LAN: a container
 * IP that happens to fall in it is never dialled on a guess, nor anything that would leave
 * through the default route.
 */
export function isOnLocalInterface(ip: string, interfaces = os.networkInterfaces(), isBridge = (name: string) => isDockerBridge(name)): boolean {
  if (!net.isIPv4(ip)) return false;
  if (ip.startsWith('127.')) return true;
  const target = ipv4ToInt(ip);
  for (const [name, list] of Object.entries(interfaces)) {
    for (const addr of list ?? []) {
      if (addr.family !== 'IPv4' || addr.internal) continue;
      const mask = ipv4ToInt(addr.netmask);
      if ((ipv4ToInt(addr.address) & mask) === (target & mask) && addr.address !== ip && isBridge(name)) return true;
    }
  }
  return false;
}
