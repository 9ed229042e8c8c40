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

/**
 * Prefixes every line with a component name, e.g. "[tunnel]". Messages quote daemon text,
 * so each is one line with its controls shown: a level cannot forge a log line.
 */
export function scopedLogger(base: Logger, component: string): Logger {
  const p = `[${component}] `;
  const safe = (m: string) => p + displayText(m, MAX_LOG_LINE_CHARS);
  return {
    trace: (m) => base.trace(safe(m)),
    debug: (m) => base.debug(safe(m)),
    info: (m) => base.info(safe(m)),
    warn: (m) => base.warn(safe(m)),
    error: (m) => base.error(safe(m)),
  };
}

/** A sink whose every message is one line with its controls shown (for sinks not scoped). */
export function safeLogger(base: Logger): Logger {
  const safe = (m: string) => displayText(m, MAX_LOG_LINE_CHARS);
  return {
    trace: (m) => base.trace(safe(m)),
    debug: (m) => base.debug(safe(m)),
    info: (m) => base.info(safe(m)),
    warn: (m) => base.warn(safe(m)),
    error: (m) => base.error(safe(m)),
  };
}
