// The UI steps after the core flow, in the order they run (numbered from 9). Add a step: a
// file next to this one exporting a UiStep, and one line here (append; keep the order).
import { pruneConfirm } from './pruneConfirm';
import type { UiStep } from './uiStep';
import { untrustedFolder } from './untrustedFolder';

export const EXTRA_STEPS: UiStep[] = [
  pruneConfirm,
  untrustedFolder,
];
