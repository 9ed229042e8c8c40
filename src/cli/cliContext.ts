import {
  DaemonLevel, DockerLevelsError, endpointFromSetting, Levels, Logger, safeLogger, NESTED_TRANSPORTS, NestedTransportKind,
  resolveLocalEndpoint, RootEndpoint, splitCommandWords,
} from '../core';

/** Options every command shares. */
export interface GlobalFlags {
  host?: string;
  'host-command'?: string;
  timeout?: string;
  transport?: string;
  verbose?: boolean;
}

export const GLOBAL_OPTIONS = {
  host: { type: 'string' },
  'host-command': { type: 'string' },
  timeout: { type: 'string' },
  transport: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function stderrLogger(verbose: boolean): Logger {
  const write = (level: string) => (m: string) => process.stderr.write(`${level} ${m}\n`);
  const quiet = () => undefined;
  return safeLogger({ trace: quiet, debug: verbose ? write('debug') : quiet, info: verbose ? write('info') : quiet, warn: write('warn'), error: write('error') });
}

export function parseTransportOrder(text: string | undefined): NestedTransportKind[] | undefined {
  if (!text) return undefined;
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  const bad = parts.filter((p) => !NESTED_TRANSPORTS.includes(p as NestedTransportKind));
  if (bad.length) {
    throw new DockerLevelsError('badInput', `Unknown transport "${bad[0]}".`, `Use a comma-separated list of ${NESTED_TRANSPORTS.join(', ')}.`);
  }
  return parts as NestedTransportKind[];
}

export function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) throw new DockerLevelsError('badInput', `--timeout "${text}" is not a positive number of milliseconds.`);
  return ms;
}

/** --host URL, --host-command 'CMD ARG…' (split into words, no shell), else the local daemon. */
function rootFromFlags(flags: GlobalFlags): RootEndpoint {
  const command = flags['host-command'];
  if (command !== undefined) {
    if (flags.host !== undefined) throw new DockerLevelsError('badInput', 'Give --host or --host-command, not both.');
    return endpointFromSetting({ command: splitCommandWords(command) }, 'cli');
  }
  return flags.host !== undefined ? endpointFromSetting({ url: flags.host }, 'cli') : resolveLocalEndpoint();
}

/** The roots and the level registry a command works on; disposed when the command ends. */
export class CliSession {
  readonly levels: Levels;
  readonly endpoints: RootEndpoint[];

  constructor(flags: GlobalFlags) {
    this.endpoints = [rootFromFlags(flags)];
    this.levels = new Levels(this.endpoints, {
      timeoutMs: parseTimeout(flags.timeout),
      transportOrder: parseTransportOrder(flags.transport),
      log: stderrLogger(!!flags.verbose),
    });
  }

  get root(): DaemonLevel {
    return this.levels.roots()[0];
  }

  dispose(): void {
    this.levels.dispose();
  }
}
