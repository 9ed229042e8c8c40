import { DaemonLevel, escapeMarkdown } from '../../../core';

// Texts the image, volume and network rows share.

/** Where an item is, for tooltips. */
export function levelLine(daemon: DaemonLevel): string {
  return `Level: ${escapeMarkdown(daemon.isRoot ? `${daemon.root.label} (root)` : `L${daemon.depth} ${daemon.path}`)}`;
}

/** Sizes as the image rows show them. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
