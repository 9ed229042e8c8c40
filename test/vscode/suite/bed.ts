// What the extension-host tests share: the real nested bed seen through the docker CLI, a
// wait for a state (never a fixed sleep), and scripted answers to the extension's prompts.
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { DockerLevelsApi } from '../../../src/extension/extension';
import type { TreeNode } from '../../../src/extension/tree/nodes/TreeNode';
import type { Prompts } from '../../../src/extension/prompts';
import { dockerIn } from '../../support/dockerWitness';
import { waitFor } from '../../support/waitFor';

export const EXTENSION_ID = 'docker-levels.docker-levels';
export const BED = ['dl-bed-l1', 'dl-bed-l2', 'dl-bed-l3'];
export { DIND_IMAGE, LEAF_IMAGE } from '../../support/dockerWitness';

/** docker CLI at a level, chained with docker exec as users do by hand. */
export function dockerAt(chain: string[], args: string[]): string {
  return dockerIn(chain, args, { timeoutMs: 120_000 });
}

export function namesAt(chain: string[], all = true): string[] {
  return dockerAt(chain, ['ps', ...(all ? ['-a'] : []), '--format', '{{.Names}}']).split('\n').filter(Boolean).sort();
}

/** Waits for a state (see test/support/waitFor.ts); a probe that throws fails the wait at once. */
export function until<T>(what: string | (() => string), probe: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<Exclude<T, false | undefined | null>> {
  return waitFor(probe, ms, what, 250, false);
}

/**
 * Scripted answers, and a record of every question asked. A pick answers with the item whose
 * label the next scripted pick names (or the first item when none is scripted).
 */
export class ScriptedPrompts implements Prompts {
  readonly asked: string[] = [];
  constructor(private readonly inputs: string[], private readonly confirms: (string | undefined)[], private readonly picks: string[] = []) {}
  input(o: vscode.InputBoxOptions): Thenable<string | undefined> {
    this.asked.push(`input: ${o.prompt}`);
    return Promise.resolve(this.inputs.shift());
  }
  pick<T extends vscode.QuickPickItem>(items: T[]): Thenable<T | undefined> {
    this.asked.push(`pick: ${items.map((i) => i.label).join(', ')}`);
    if (this.picks.length === 0) return Promise.resolve(items[0]);
    const label = this.picks.shift();
    return Promise.resolve(items.find((i) => i.label === label));
  }
  confirm(message: string, detail: string): Thenable<string | undefined> {
    this.asked.push(`confirm: ${message} | ${detail}`);
    return Promise.resolve(this.confirms.shift());
  }
}

/** Awaits `promise`, or fails after `ms` naming what it waited for (an event, not a poll). */
export async function within<T>(what: string | (() => string), promise: Promise<T>, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A tree node as the tests read it: the node kinds' public fields they look at. */
export interface NodeLike extends TreeNode {
  name?: string;
  levelId?: string;
}

/** The tree as the view asks it: children of a node, and the node at a path of names under the local root. */
export function treeWalker(api: () => DockerLevelsApi): { children(node?: TreeNode): Promise<NodeLike[]>; nodeAt(names: string[]): Promise<NodeLike> } {
  const children = async (node?: TreeNode): Promise<NodeLike[]> => (await api().tree.getChildren(node)) as NodeLike[];
  return {
    children,
    async nodeAt(names: string[]): Promise<NodeLike> {
      let node = (await children()).find((r) => r.id === 'root:local');
      assert.ok(node, 'the local daemon is a root');
      for (const n of names) {
        const kids: NodeLike[] = await children(node);
        const next: NodeLike | undefined = kids.find((k) => k.name === n);
        assert.ok(next, `${n} under ${node.id} (has ${kids.map((k) => k.name ?? k.id).join(', ')})`);
        node = next;
      }
      return node;
    },
  };
}
