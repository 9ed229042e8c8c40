import { DockerLevelsError } from '../errors';
import { displayText } from './displayText';

/** An exit code from a daemon is an integer 0-255; anything else is a level that lies. */
export function checkedExitCode(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
  throw new DockerLevelsError('notADaemon',
    `The daemon reported an exit code that is not an integer from 0 to 255: ${displayText(String(value), 40)}.`,
    'A real Docker daemon never does this; this level may not be what it claims.');
}
