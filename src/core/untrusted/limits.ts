import { DockerLevelsError } from '../errors';

/**
 * Caps on what a level may send. A level is controlled by whoever is root in its container,
 * so each answer is bounded before it is buffered. Each cap is far above what a real daemon
 * sends, so only a lying or broken one ever meets it.
 */

/**
 * A JSON document read whole (/containers/json, /info, inspect). A real listing costs about
 * 1.5 KB a container: 64 MiB is some 40,000 containers, well past what one daemon runs.
 */
export const MAX_JSON_BODY_BYTES = 64 * 1024 * 1024;

/**
 * The body of a failed stream request (a pull, a load, logs, an archive, an exec start), read
 * to quote the daemon's message. A real one is a one-line JSON {"message": …} of well under 1 KB.
 */
export const MAX_FAILED_STREAM_BODY_BYTES = 64 * 1024 * 1024;

/**
 * One line of a pull or image-load progress stream. A real line is a status of some 200
 * bytes, a layer's progress bar included; even a long error message is a few KB.
 */
export const MAX_PROGRESS_LINE_BYTES = 1024 * 1024;

/**
 * A whole pull or image-load progress stream. A real pull sends a few lines a layer and a
 * status per progress tick: some 100 KB for an image of dozens of layers, never 256 MiB.
 */
export const MAX_PROGRESS_STREAM_BYTES = 256 * 1024 * 1024;

/** The error for an answer past a cap (MAX_JSON_BODY_BYTES unless told). */
export function tooLargeAnswer(what: string, maxBytes = MAX_JSON_BODY_BYTES): DockerLevelsError {
  return new DockerLevelsError('notADaemon',
    `${what}: the answer is larger than ${maxBytes / 1024 / 1024} MiB, which no Docker daemon sends.`,
    'Whatever serves it is not a Docker daemon, or it lies: its answer is not read.');
}

/** One line of /events. A real event is under 2 KB even with many labels. */
export const MAX_EVENT_LINE_BYTES = 1024 * 1024;

/** The stderr of an exec tunnel, kept to explain why it failed: a real one says one line. */
export const MAX_TUNNEL_STDERR_CHARS = 8 * 1024;

/** Containers in one listing that are checked and shown; past it the level is an error. */
export const MAX_CONTAINERS_PER_LEVEL = 20_000;

/** The client-certificate archive read from a dind container: three small PEM files. */
export const MAX_ARCHIVE_BYTES = 1024 * 1024;

/** The three client-certificate files printed by one exec: a real set is some 4 KB. */
export const MAX_CLIENT_CERTS_EXEC_BYTES = 256 * 1024;

/** Hint shown with every "answer too large" error. */
export const TOO_LARGE_HINT = 'A real Docker daemon never sends this much; this level may not be what it claims.';

/** The X-Docker-Container-Path-Stat header of HEAD /archive: a name, a size, a mode, a time. */
export const MAX_PATH_STAT_HEADER_BYTES = 64 * 1024;

/**
 * A file read whole into memory (an editor, readFile). Larger files are copied as streams
 * (Download, `docker-levels cp`), which obey MAX_COPY_BYTES instead.
 */
export const MAX_FILE_READ_BYTES = 1024 * 1024 * 1024;

/** Entries of one directory listing; a real directory with more is not worth showing in a tree. */
export const MAX_LISTING_ENTRIES = 100_000;

/** The text of an exec listing (about 60 bytes an entry): 64 MiB is far past MAX_LISTING_ENTRIES. */
export const MAX_LISTING_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Bytes a listing through the archive API may read: the archive carries every file's content
 * under the directory, not only names. Past this, a container with no `find` cannot list it.
 */
export const MAX_ARCHIVE_LISTING_BYTES = 512 * 1024 * 1024;

/** A tar from a level extracted to disk (`docker-levels cp`, Download): bytes and entries. */
export const MAX_COPY_BYTES = 64 * 1024 * 1024 * 1024;
export const MAX_COPY_ENTRIES = 1_000_000;
/** Images, volumes or networks in one listing of a level; past it the level's listing is an error. */
export const MAX_CONTENT_ITEMS_PER_LEVEL = 20_000;
/**
 * The whole HTTP answer to the forwarder's /info check on a fresh stream (headers and body).
 * A real /info is a few KB, some 20 KB with many plugins and registry mirrors.
 */
export const MAX_IDENTITY_ANSWER_BYTES = 1024 * 1024;
