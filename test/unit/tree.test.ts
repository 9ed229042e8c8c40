// The tree's caching and identity (src/extension/tree/nodes/TreeNode.ts, vscode-free) against
// a fake level: a daemon whose container list the test sets and whose listings it answers one
// by one, so that the order in which fetches end is the test's to choose. Node kinds here are
// fakes of the real ones (the real ones draw with vscode); the base class under test is real.
import * as assert from 'node:assert/strict';
import { GroupNode, NodeHost, recheckNodes, TreeNode } from '../../src/extension/tree/nodes/TreeNode';
import { RefreshController } from '../../src/extension/tree/refreshController';
import type { DaemonLevel } from '../../src/core';

interface FakeEntry { name: string; state: string; inner?: FakeLevel }

/** A fake daemon: `entries` is what it lists; with `manual`, each listing waits for answer(). */
class FakeLevel {
  entries: FakeEntry[] = [];
  listings = 0;
  manual = false;
  private readonly waiting: { entries: FakeEntry[]; resolve: (e: FakeEntry[]) => void }[] = [];

  constructor(readonly id: string) {}

  list(): Promise<FakeEntry[]> {
    this.listings++;
    const snapshot = this.entries.map((e) => ({ ...e }));
    if (!this.manual) return Promise.resolve(snapshot);
    return new Promise((resolve) => this.waiting.push({ entries: snapshot, resolve }));
  }

  /** Ends the listing started `index`-th among those still waiting, with what it saw when it started. */
  answer(index: number): void {
    const [w] = this.waiting.splice(index, 1);
    w.resolve(w.entries);
  }

  get pending(): number {
    return this.waiting.length;
  }
}

/** Records what the provider would do: the one id map, what it told the view, what it forgot. */
class FakeHost implements NodeHost {
  readonly map = new Map<string, TreeNode>();
  readonly fired: string[] = [];
  readonly removedIds: string[] = [];
  fireChanged(node: TreeNode): void { this.fired.push(node.id); }
  added(node: TreeNode): void { this.map.set(node.id, node); }
  removed(node: TreeNode): void {
    if (this.map.get(node.id) === node) this.map.delete(node.id);
    this.removedIds.push(node.id);
  }
}

/** Fake of DaemonNode/LevelNode: lists a fake level's containers, levels as FakeLevelNode. */
class FakeLevelNode extends TreeNode {
  /** What childrenHold() answers: the real kinds answer whether the level's events are live. */
  live = true;

  constructor(parent: TreeNode | undefined, readonly id: string, public level: FakeLevel, public state = 'running', host?: NodeHost) {
    super(parent, host);
  }

  getTreeItem(): never { throw new Error('not drawn in unit tests'); }

  protected override async loadChildren(): Promise<TreeNode[]> {
    const entries = await this.level.list();
    return entries.map((e) => (e.inner
      ? new FakeLevelNode(this, `${this.id}/${e.name}`, e.inner, e.state)
      : new FakeContainerNode(this, `${this.id}/${e.name}`, e.state, this.level)));
  }

  protected override childrenHold(): boolean { return this.live; }

  protected update(fresh: this): void {
    this.level = fresh.level;
    this.state = fresh.state;
  }
}

/** Fake of ContainerNode: a leaf with a state and the level it runs on. */
class FakeContainerNode extends TreeNode {
  constructor(parent: TreeNode, readonly id: string, public state: string, public level: FakeLevel) {
    super(parent);
  }

  getTreeItem(): never { throw new Error('not drawn in unit tests'); }

  protected update(fresh: this): void {
    this.state = fresh.state;
    this.level = fresh.level;
  }
}

/** Counts its disposals, like a lineage panel a node owns. */
class FakePanel {
  disposed = 0;
  dispose(): void { this.disposed++; }
}

function setup(): { host: FakeHost; l1: FakeLevel; root: FakeLevelNode } {
  const host = new FakeHost();
  const l1 = new FakeLevel('local');
  const root = new FakeLevelNode(undefined, 'root:local', l1, 'running', host);
  host.added(root);
  return { host, l1, root };
}

const ids = (nodes: readonly TreeNode[]): string[] => nodes.map((n) => n.id);

describe('tree nodes own their children (unit, fake level)', () => {
  it('keeps ids and instances across refreshes and takes the new data into them', async () => {
    const { host, l1, root } = setup();
    l1.entries = [{ name: 'web', state: 'running' }, { name: 'db', state: 'running' }];
    const first = await root.getChildren();
    root.refresh();
    l1.entries[0].state = 'exited';
    const second = await root.getChildren();
    assert.deepEqual(ids(second), ['root:local/web', 'root:local/db']);
    assert.equal(second[0], first[0], 'the instance VS Code holds is the one shown again');
    assert.equal(second[1], first[1]);
    assert.equal((second[0] as FakeContainerNode).state, 'exited', 'the kept instance took the new state');
    assert.equal(l1.listings, 2);
    assert.deepEqual(host.fired, ['root:local']);
    assert.equal(host.map.get('root:local/web'), first[0]);
    assert.deepEqual(host.removedIds, [], 'the fresh duplicates were never registered, so nothing shown was forgotten');
  });

  it('answers a second ask from the cache while it holds, and joins a fetch in flight', async () => {
    const { l1, root } = setup();
    l1.entries = [{ name: 'web', state: 'running' }];
    l1.manual = true;
    const a = root.getChildren();
    const b = root.getChildren();
    assert.equal(l1.pending, 1, 'one listing for two concurrent asks');
    l1.answer(0);
    assert.deepEqual(await a, await b);
    await root.getChildren();
    assert.equal(l1.listings, 1, 'cached while the level is live');
    root.live = false;
    const again = root.getChildren();
    assert.equal(l1.pending, 1, 'a level not followed live is listed on every ask');
    l1.answer(0);
    await again;
  });

  it('never lets a superseded fetch overwrite a newer one, and answers it with the newer instances', async () => {
    const { host, l1, root } = setup();
    l1.manual = true;
    l1.entries = [{ name: 'web', state: 'running' }];
    const older = root.getChildren();
    root.refresh();
    l1.entries.push({ name: 'new', state: 'created' });
    const newer = root.getChildren();
    assert.equal(l1.pending, 2);
    l1.answer(1);
    const newerKids = await newer;
    l1.answer(0);
    const olderKids = await older;
    assert.deepEqual(ids(root.children), ['root:local/web', 'root:local/new'], 'the newer listing stands');
    assert.deepEqual(olderKids, newerKids, 'the older fetch answers with the newer instances (not [])');
    assert.deepEqual([...host.map.keys()].sort(), ['root:local', 'root:local/new', 'root:local/web']);
  });

  it('disposes a node dropped from its parent, with its subtree, its panel, and forgets them in the id map', async () => {
    const { host, l1, root } = setup();
    const l2 = new FakeLevel('l2');
    l2.entries = [{ name: 'inner', state: 'running' }];
    l1.entries = [{ name: 'lvl', state: 'running', inner: l2 }, { name: 'web', state: 'running' }];
    const [lvl, web] = await root.getChildren();
    const [inner] = await lvl.getChildren();
    const panel = new FakePanel();
    lvl.own(panel);
    l1.entries = [{ name: 'web', state: 'running' }];
    root.refresh();
    const kids = await root.getChildren();
    assert.deepEqual(kids, [web]);
    assert.ok(lvl.isDisposed && inner.isDisposed, 'the level and what was below it are disposed');
    assert.equal(panel.disposed, 1, 'its panel closed with it');
    assert.ok(!host.map.has(lvl.id) && !host.map.has(inner.id), 'gone from the id map');
    assert.deepEqual(host.removedIds.sort(), [inner.id, lvl.id].sort());
    assert.deepEqual(await lvl.getChildren(), [], 'a disposed node lists nothing');
    assert.equal(l2.listings, 1, 'and asks its level for nothing');
  });

  it('keeps an open panel through a refresh of its node and of its parent; a panel closed first is not closed again', async () => {
    const { l1, root } = setup();
    l1.entries = [{ name: 'web', state: 'running' }];
    const [web] = await root.getChildren();
    const panel = new FakePanel();
    const handle = web.own(panel);
    root.refresh();
    web.refresh();
    assert.deepEqual(await root.getChildren(), [web]);
    assert.equal(panel.disposed, 0, 'a refresh under an open panel keeps it open');
    handle.dispose();
    assert.equal(panel.disposed, 1, 'closed by the user');
    web.dispose();
    assert.equal(panel.disposed, 1, 'the node does not close it a second time');
    const late = new FakePanel();
    web.own(late);
    assert.equal(late.disposed, 1, 'what a disposed node is given to own ends at once');
  });

  it('replaces a node whose kind changed under the same id (a level found to be a plain container)', async () => {
    const { host, l1, root } = setup();
    l1.entries = [{ name: 'dind', state: 'running', inner: new FakeLevel('l2') }];
    const [asLevel] = await root.getChildren();
    l1.entries = [{ name: 'dind', state: 'running' }];
    root.refresh();
    const [asContainer] = await root.getChildren();
    assert.ok(asContainer instanceof FakeContainerNode);
    assert.ok(asLevel.isDisposed);
    assert.equal(host.map.get('root:local/dind'), asContainer, 'the id map holds the new kind, not removed by the old one going');
  });

  it('a node disposed while its fetch is in flight drops that fetch (its parent closed while it opened)', async () => {
    const { host, l1, root } = setup();
    const l2 = new FakeLevel('l2');
    l1.entries = [{ name: 'lvl', state: 'running', inner: l2 }];
    const [lvl] = await root.getChildren();
    l2.manual = true;
    l2.entries = [{ name: 'inner', state: 'running' }];
    const pending = lvl.getChildren();
    l1.entries = [];
    root.refresh();
    await root.getChildren();
    l2.answer(0);
    assert.deepEqual(await pending, []);
    assert.ok(!host.map.has('root:local/lvl/inner'), 'the late children were never shown');
  });

  it('a kept node takes the open level of a settings rebuild (same id, new level object)', async () => {
    const { l1, root } = setup();
    const before = new FakeLevel('l2');
    l1.entries = [{ name: 'lvl', state: 'running', inner: before }];
    const [lvl] = await root.getChildren();
    const rebuilt = new FakeLevel('l2');
    l1.entries = [{ name: 'lvl', state: 'running', inner: rebuilt }];
    root.refresh();
    assert.deepEqual(await root.getChildren(), [lvl]);
    assert.equal((lvl as FakeLevelNode).level, rebuilt);
  });

  it('reload() fetches first and tells the view after, whose ask then answers from the cache', async () => {
    const { host, l1, root } = setup();
    l1.entries = [{ name: 'web', state: 'running' }];
    await root.getChildren();
    root.live = false;
    l1.manual = true;
    l1.entries.push({ name: 'new', state: 'created' });
    const reloading = root.reload();
    assert.deepEqual(host.fired, [], 'nothing is told while the rows would be unknown to VS Code');
    assert.deepEqual(ids(root.children), ['root:local/web'], 'the rows shown stay valid meanwhile');
    l1.answer(0);
    await reloading;
    assert.deepEqual(host.fired, ['root:local']);
    const listings = l1.listings;
    assert.deepEqual(ids(await root.getChildren()), ['root:local/web', 'root:local/new']);
    assert.equal(l1.listings, listings, 'the view\'s ask after a reload is answered from the cache, even for a level not live');
  });

  it('a group node lists its items only when expanded, once until refreshed', async () => {
    const { root } = setup();
    let listed = 0;
    class FakeImagesGroup extends GroupNode {
      getTreeItem(): never { throw new Error('not drawn'); }
      protected async listItems(): Promise<TreeNode[]> {
        listed++;
        return [new FakeContainerNode(this, `${this.id}/busybox`, 'image', new FakeLevel('x'))];
      }
    }
    const group = new FakeImagesGroup(root, 'root:local/images', 'Images');
    assert.equal(listed, 0, 'nothing listed before it is expanded');
    assert.deepEqual(ids(await group.getChildren()), ['root:local/images/busybox']);
    await group.getChildren();
    assert.equal(listed, 1);
    group.refresh();
    await group.getChildren();
    assert.equal(listed, 2);
  });

  it('a disposed node\'s event watch ends with it (RefreshController)', async () => {
    const { l1, root } = setup();
    l1.entries = [{ name: 'a', state: 'running', inner: new FakeLevel('la') }, { name: 'b', state: 'running', inner: new FakeLevel('lb') }];
    const [a, b] = await root.getChildren();
    const refreshed: string[] = [];
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const controller = new RefreshController((n) => { refreshed.push(n.id); }, () => undefined, log as never);
    // A fake level whose event request never answers: the subscription stays "connecting".
    const fakeDaemon = (id: string) => ({ id, label: id, what: id, isDisposed: false, keepStreamReady: () => ({ dispose: () => undefined }), call: () => new Promise(() => undefined) }) as unknown as DaemonLevel;
    controller.watch(fakeDaemon('la'), a);
    controller.watch(fakeDaemon('lb'), b);
    a.dispose();
    controller.unwatchNode(a);
    controller.setVisible(true);
    try {
      assert.deepEqual(refreshed, [b.id], 'only the node still shown is followed');
      assert.equal(controller.activeSubscriptions, 1);
    } finally {
      controller.dispose();
    }
    assert.equal(controller.activeSubscriptions, 0);
  });

  it('a palette pick re-lists a collapsed level first: a container gone meanwhile is not offered, and leaves the id map', async () => {
    const { host, l1, root } = setup();
    const l2 = new FakeLevel('l2');
    l2.entries = [{ name: 'web', state: 'running' }, { name: 'db', state: 'running' }];
    l1.entries = [{ name: 'lvl', state: 'running', inner: l2 }, { name: 'top', state: 'running' }];
    const [lvl, top] = await root.getChildren();
    const [web, db] = await lvl.getChildren();
    (lvl as FakeLevelNode).live = false; // collapsed: its events are no longer followed
    l2.entries = [{ name: 'web', state: 'running' }];
    assert.equal(host.map.get(db.id), db, 'before the check, the id map still has what the collapsed level showed');
    const before = l2.listings;
    assert.deepEqual(await recheckNodes([top, web, db]), [top, web]);
    assert.equal(l2.listings, before + 1, 'one listing of the collapsed level for both of its containers');
    assert.ok(db.isDisposed && !host.map.has(db.id), 'the gone container is disposed and forgotten');
    assert.equal(host.map.get(web.id), web, 'the one still there keeps its instance');
    (lvl as FakeLevelNode).live = true;
    const listingsOfRoot = l1.listings;
    assert.deepEqual(await recheckNodes([web]), [web]);
    assert.equal(l2.listings, before + 1, 'a level followed live is trusted as it is');
    assert.equal(l1.listings, listingsOfRoot, 'the top (the view\'s invisible root) is never listed for a pick');
  });
});
