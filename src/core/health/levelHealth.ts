import type { DaemonInfo, DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';

/** The `health` object of a Daemon in `tree --json` (documented in the README). */
export interface LevelHealth {
  storageDriver: string | null;
  /** MTU of this daemon's default bridge, null when it could not be read. */
  mtu: number | null;
  /** The same for the level above; null for a root. */
  parentMtu: number | null;
  cgroupVersion: string | null;
  warnings: string[];
}

/** What dockerd uses when `com.docker.network.driver.mtu` is not set. */
export const DEFAULT_MTU = 1500;

/** The MTU of `daemon`'s default bridge network, read from its options. */
export async function bridgeMtu(daemon: DaemonLevel, signal?: AbortSignal): Promise<number> {
  const body = await daemon.getJson('Inspecting the bridge network', '/networks/bridge', signal);
  return mtuOfNetwork(body);
}

/** A network's MTU option, checked: a lying level's text never becomes a number it did not send. */
export function mtuOfNetwork(body: unknown): number {
  const options = typeof body === 'object' && body !== null ? (body as { Options?: unknown }).Options : undefined;
  const raw = typeof options === 'object' && options !== null ? (options as Record<string, unknown>)['com.docker.network.driver.mtu'] : undefined;
  const n = typeof raw === 'string' && /^\d{3,5}$/.test(raw) ? Number(raw) : NaN;
  return n >= 68 && n <= 65535 ? n : DEFAULT_MTU;
}

/** Health of one level from its /info, its bridge MTU and its parent's. */
export function levelHealth(info: Pick<DaemonInfo, 'Driver'> & { CgroupVersion?: unknown }, mtu: number | null, parentMtu: number | null): LevelHealth {
  const storageDriver = typeof info.Driver === 'string' ? displayText(info.Driver, 40) : null;
  const cgroupVersion = typeof info.CgroupVersion === 'string' && /^\d$/.test(info.CgroupVersion) ? info.CgroupVersion : null;
  const warnings: string[] = [];
  if (storageDriver === 'vfs') {
    warnings.push('Storage driver vfs: every image layer is copied in full for every container, so disk use and start times grow '
      + 'with each one. Overlay cannot sit on the overlay root of a container: give this level\'s /var/lib/docker a volume '
      + '(docker run -v /var/lib/docker …), then it uses overlay2.');
  }
  if (mtu !== null && parentMtu !== null && mtu > parentMtu) {
    warnings.push(`Bridge MTU ${mtu} is larger than the level above (${parentMtu}): large packets are dropped on the way out, `
      + `so connections hang after the handshake (TLS, git, image pulls). Start the level's daemon with --mtu ${parentMtu} or less.`);
  }
  return { storageDriver, mtu, parentMtu, cgroupVersion, warnings };
}

/** Health of `daemon`, asking its parent for the parent's MTU. Failures leave a field null. */
export async function readLevelHealth(daemon: DaemonLevel, signal?: AbortSignal): Promise<LevelHealth> {
  const [info, mtu, parentMtu] = await Promise.all([
    daemon.info(signal),
    bridgeMtu(daemon, signal).catch(() => null),
    daemon.parent ? bridgeMtu(daemon.parent, signal).catch(() => null) : Promise.resolve(null),
  ]);
  return levelHealth(info, mtu, parentMtu);
}
