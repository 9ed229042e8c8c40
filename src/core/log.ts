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

/** Prefixes every line with a component name, e.g. "[tunnel]". */
export function scopedLogger(base: Logger, component: string): Logger {
  const p = `[${component}] `;
  return {
    trace: (m) => base.trace(p + m),
    debug: (m) => base.debug(p + m),
    info: (m) => base.info(p + m),
    warn: (m) => base.warn(p + m),
    error: (m) => base.error(p + m),
  };
}
