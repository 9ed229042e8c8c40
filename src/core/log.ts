import { displayText } from './untrusted/displayText';

/** Where the core writes what it does. The extension passes a LogOutputChannel, the CLI stderr. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Long enough for any message of ours with the daemon text it quotes. */
const MAX_LOG_LINE_CHARS = 8000;

/** The same sink with every message passed through `shape` first. */
function mapLogger(base: Logger, shape: (message: string) => string): Logger {
  return {
    trace: (m) => base.trace(shape(m)),
    debug: (m) => base.debug(shape(m)),
    info: (m) => base.info(shape(m)),
    warn: (m) => base.warn(shape(m)),
    error: (m) => base.error(shape(m)),
  };
}

/**
 * Prefixes every line with a component name, e.g. "[tunnel]". Messages quote daemon text,
 * so each is one line with its controls shown: a level cannot forge a log line.
 */
export function scopedLogger(base: Logger, component: string): Logger {
  const prefix = `[${component}] `;
  return mapLogger(base, (m) => prefix + displayText(m, MAX_LOG_LINE_CHARS));
}

/** A sink whose every message is one line with its controls shown (for sinks not scoped). */
export function safeLogger(base: Logger): Logger {
  return mapLogger(base, (m) => displayText(m, MAX_LOG_LINE_CHARS));
}
