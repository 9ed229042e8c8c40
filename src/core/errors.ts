/**
 * The one place where failures become sentences a user can act on.
 * Core code throws or wraps into DockerLevelsError; front ends show `message` and `hint`.
 */
export type ErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'notFound'
  | 'conflict'
  | 'tls'
  | 'permission'
  | 'privilegedRefused'
  | 'noTunnelTool'
  | 'notADaemon'
  | 'badInput'
  | 'cancelled'
  | 'unknown';

export class DockerLevelsError extends Error {
  override readonly name = 'DockerLevelsError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly hint?: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }

  /** Message and hint in one line, as the CLI and notifications show it. */
  get userMessage(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

interface ErrnoLike {
  code?: string;
  statusCode?: number;
  message?: string;
  reason?: string;
  json?: unknown;
  name?: string;
}

/** Text of the daemon's own error message, without docker-modem's "(HTTP code …)" prefix. */
export function daemonMessage(err: unknown): string {
  const e = err as ErrnoLike;
  const json = e?.json as { message?: string } | undefined;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message.trim();
  const raw = String(e?.message ?? err);
  return raw.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/**
 * Turns anything thrown by dockerode, node's net/tls or our own code into a DockerLevelsError.
 * `what` names the thing being done or reached, e.g. "daemon at tcp://127.0.0.1:2375".
 */
export function classifyError(err: unknown, what = 'Docker'): DockerLevelsError {
  if (err instanceof DockerLevelsError) return err;
  const e = (err ?? {}) as ErrnoLike;
  const code = e.code ?? '';
  const msg = daemonMessage(err);
  // A daemon's own answer names user things ("No such container: my-tls-timeout"): the
  // transport heuristics on message text below apply only to errors without an HTTP status.
  const transportText = typeof e.statusCode === 'number' ? '' : msg;

  if (code.startsWith('ERR_PARSE_ARGS')) {
    return new DockerLevelsError('badInput', msg, 'Run docker-levels --help.', err);
  }
  if (e.name === 'AbortError' || code === 'ABORT_ERR') {
    return new DockerLevelsError('cancelled', `${what}: cancelled.`, undefined, err);
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || /\btimed? ?out\b/i.test(transportText)) {
    return new DockerLevelsError('timeout', `${what} did not answer in time.`,
      'Check that the daemon is running and not paused, or raise dockerLevels.connectTimeoutMs.', err);
  }
  if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
    || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /socket hang up/i.test(transportText)) {
    return new DockerLevelsError('unreachable', `Cannot reach ${what} (${code || msg}).`,
      'Check that the daemon is running and that the address and port are right.', err);
  }
  if (e.statusCode === 403 && /active endpoints|pre-?defined network|in use/i.test(msg)) {
    // Docker answers 403 for a network still in use or one of its own: a conflict, not a denial.
    return new DockerLevelsError('conflict', `Conflict on ${what}: ${msg}`, 'Disconnect or remove the containers that use it first; bridge, host and none cannot be removed.', err);
  }
  if (code === 'EACCES' || e.statusCode === 401 || e.statusCode === 403) {
    return new DockerLevelsError('permission', `Permission denied by ${what}: ${msg}`,
      'Check that you may use this daemon (for a socket: membership of the docker group).', err);
  }
  if (/HTTP request to an HTTPS server/i.test(msg)) {
    return new DockerLevelsError('tls', `${what} only speaks TLS: ${msg}`,
      'Connect with its CA, client certificate and key (DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, or a docker context with TLS), usually on port 2376.', err);
  }
  if (TLS_CODES.has(code) || /certificate|\btls\b|\bssl\b/i.test(transportText)) {
    return new DockerLevelsError('tls', `TLS handshake with ${what} failed: ${msg}`,
      'Check the CA, client certificate and key for this daemon.', err);
  }
  if (/unable to apply caps|operation not permitted.*caps/i.test(msg)) {
    return new DockerLevelsError('privilegedRefused', `${what} refused a privileged container: ${msg}`,
      'This host does not allow --privileged; Docker Levels falls back to an equivalent capability set.', err);
  }
  if (e.statusCode === 409 && /is not running|is paused|is restarting/i.test(msg)) {
    // What an exec tunnel (or any exec) gets from a level container that was killed or paused:
    // its daemon is unreachable until the container runs again, not a naming conflict.
    const short = msg.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1').replace(/[.,;]?\s*unpause the container before exec\.?$/i, '');
    return new DockerLevelsError('unreachable', `${what}: ${short}.`,
      /is paused/i.test(msg) ? 'Unpause the container, then Retry.' : 'Start the container again, then Retry.', err);
  }
  if (e.statusCode === 404) {
    return new DockerLevelsError('notFound', `Not found on ${what}: ${msg}`, 'It may have been removed; refresh the tree.', err);
  }
  if (e.statusCode === 409) {
    return new DockerLevelsError('conflict', `Conflict on ${what}: ${msg}`, 'Choose another name, or stop or remove what is in the way.', err);
  }
  return new DockerLevelsError('unknown', `${what}: ${msg || String(err)}`, undefined, err);
}
