/**
 * Caps on what a level may send. A level is whoever is root in a container, so each answer is
 * hostile input: past a cap the read stops and that level alone gets an error.
 * Each comment says why a real daemon stays far below its cap.
 */

/**
 * A JSON or text answer (container list, /info, inspect, version). A real `/containers/json`
 * is about 2 KB a container, so 64 MB is some 30,000 containers on one daemon.
 */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * One line of `/events`. A real event is a few hundred bytes; even one with hundreds of
 * labels stays under 64 KB. 1 MB leaves room and bounds a stream that never sends a newline.
 */
export const MAX_EVENT_LINE_BYTES = 1024 * 1024;

/**
 * The stderr an exec tunnel keeps to explain a failure. The tools it runs print one short
 * line ("no such file", "connection refused"); only the first 16 KB is ever needed.
 */
export const MAX_KEPT_STDERR_BYTES = 16 * 1024;

/**
 * A tar archive of TLS certificates read from a container: ca, cert and key PEMs are a few KB
 * each; 1 MB is hundreds of certificates.
 */
export const MAX_ARCHIVE_BYTES = 1024 * 1024;

/** Hint shown with every "answer too large" error. */
export const TOO_LARGE_HINT = 'A real Docker daemon never sends this much; this level may not be what it claims.';

/**
 * How many levels deep a walk goes by default (`--depth` overrides it). Real nesting stops
 * at three or four: each level costs a daemon's memory and storage.
 */
export const DEFAULT_MAX_DEPTH = 8;

/**
 * How many levels one walk opens at most. A daemon that invents a level in every container
 * made an unbounded walk open thousands; a real machine runs a few dozen daemons at most.
 */
export const MAX_WALK_LEVELS = 200;

/** How long one walk may take before it opens no more levels; each read has its own timeout too. */
export const WALK_DEADLINE_MS = 120_000;
