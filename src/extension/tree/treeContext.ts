import type { ContainerSummary, DaemonLevel, LiveLevelContents } from '../../core';
import type { ErrorReporter } from '../errorReporting';
import type { PortForwards } from '../forwarding/portForwards';
import type { LevelsService } from '../levelsService';
import type { NodeHost, TreeNode } from './nodes/TreeNode';

/** What nodes need from the extension, passed in rather than reached through globals. */
export interface TreeContext extends NodeHost {
  readonly service: LevelsService;
  readonly errors: ErrorReporter;
  /** A node shows this daemon's containers: keep them live while it stays expanded and shown. */
  watch(daemon: DaemonLevel, node: TreeNode): void;
  /** Whether this daemon's list is kept live by its event stream right now. */
  isLive(daemon: DaemonLevel): boolean;
  /** A daemon's containers, answered from its live list while it is watched. */
  listContainers(daemon: DaemonLevel, all: boolean): Promise<ContainerSummary[]>;
  /** A daemon's images, volumes and networks, kept current by its events while it is watched. */
  contentsOf(daemon: DaemonLevel): LiveLevelContents;
  /** Whether the daemon's last disk reading lists volumes that may be a removed level's data. */
  suspectsOrphans(daemon: DaemonLevel): boolean;
  /** Containers found to run no daemon, shown as plain containers from then on. */
  readonly notDaemons: Set<string>;
  refresh(node?: TreeNode): void;
  /** The port forwards the extension runs, for port rows to show (set once in activate()). */
  readonly portForwards?: PortForwards;
}
