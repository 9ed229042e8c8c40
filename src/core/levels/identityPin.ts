/** What tells one daemon from another, and the check that a level's daemon is still the same. */
import { DockerLevelsError } from '../errors';
import { displayText } from '../untrusted/displayText';

/** A daemon's /info ID and Name. */
export interface DaemonIdentity {
  id: string;
  name: string;
}

/** The daemon behind a level's route is not the one the level was opened with. */
export class ImpostorDaemonError extends DockerLevelsError {}

/**
 * A level's identity is pinned at first contact: a later /info that names another daemon (its
 * own died and another took the address) is an impostor, never the level's new identity, or the
 * ancestor checks of the levels below would compare against the impostor.
 */
export function assertSameDaemon(what: string, pinned: DaemonIdentity, found: DaemonIdentity): void {
  if (found.id === pinned.id && found.name === pinned.name) return;
  throw new ImpostorDaemonError('unreachable',
    `${what} now answers as another daemon (ID ${displayText(found.id, 80)}, host name "${displayText(found.name, 80)}"), `
    + `not the one it was opened with (ID ${displayText(pinned.id, 80)}, host name "${displayText(pinned.name, 80)}").`,
    'Its daemon may have died and another taken its address. Open the level again (Retry on it, or run the command again).');
}
