// The UI steps after the core flow, in the order they run (numbered from 9). Add a step: a
// file next to this one exporting a UiStep, and one line here (append; keep the order).
import { openInBrowser } from './openInBrowser';
import { levelContents } from './levelContents';
import { pruneConfirm } from './pruneConfirm';
import { editFile } from './editFile';
import type { UiStep } from './uiStep';
import { untrustedFolder } from './untrustedFolder';

export const EXTRA_STEPS: UiStep[] = [
  pruneConfirm,
  openInBrowser,
  editFile,
  levelContents,
  untrustedFolder,
];
