// A UI step in a file of its own, run after the core steps of levels.ui.ts (1–8) in the order
// of test/ui/steps/index.ts and numbered on from 9. A feature adds its step here: one file,
// one line in the index, and levels.ui.ts stays the story of the core flow.
import type { Page } from 'playwright-core';
import type { Workbench } from '../harness/workbench';
import type { CreatedContainers } from '../dockerCli';
import type { StepContext } from '../stepRunner';
import type { LevelsView } from '../workbenchUi';

export interface BedContainer { name: string; id: string }
export interface Bed { l1: BedContainer; l2: BedContainer; l3: BedContainer; web3: BedContainer }

/** What every step gets: the workbench, the view, the bed and the docker CLI chains to each level. */
export interface StepEnv {
  wb: Workbench;
  page: Page;
  view: LevelsView;
  bed: Bed;
  /** `docker exec` chains: chains[0] = the host, chains[3] = inside level 3 (dl-bed-l3). */
  chains: string[][];
  /** Containers the step creates go here first, so a failure still removes them. */
  created: CreatedContainers;
  /** A short suffix unique to this run, for the names a step creates. */
  runId: string;
}

export interface UiStep {
  slug: string;
  title: (env: StepEnv) => string;
  /** Core step numbers that must have passed (2 = levels 1–3 expanded, 4 = a terminal at depth 3). */
  needs: number[];
  run: (ctx: StepContext, env: StepEnv) => Promise<void>;
}
