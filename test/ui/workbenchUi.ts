// What a person does in the workbench, as page operations: tree rows and their context menus,
// the quick input, modal dialogs, notifications, the terminal and webviews. Built on the
// harness (test/ui/harness/workbench.ts); selectors are those of code-server 4.139.1.
import type { Frame, Locator, Page } from 'playwright-core';
import { normalizeText, waitFor, type TreeRow, type Workbench } from './harness/workbench';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A tree row in the list itself (sticky-scroll copies of ancestors live in another container). */
const ROW = '.monaco-list-rows > .monaco-list-row[role="treeitem"]';

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** A tree row as read from the DOM, with its index in the whole (virtual) list. */
export interface Row extends TreeRow {
  index: number;
  icon: string;
}

/** The Levels view of the Docker Levels container. */
export class LevelsView {
  static readonly CONTAINER = 'dockerLevels';
  private readonly root: Locator;

  constructor(private readonly wb: Workbench) {
    this.root = wb.page.locator('[id="workbench.view.extension.dockerLevels"]');
  }

  private get page(): Page {
    return this.wb.page;
  }

  /** The rows rendered right now (the list is virtual: only those in view are in the DOM). */
  private async renderedRows(): Promise<Row[]> {
    const rows = await this.root.locator(ROW).evaluateAll((els) => els.map((el) => ({
      index: Number(el.getAttribute('data-index')),
      label: el.querySelector('.label-name')?.textContent ?? '',
      description: el.querySelector('.label-description')?.textContent ?? '',
      level: Number(el.getAttribute('aria-level') ?? '1'),
      expanded: el.hasAttribute('aria-expanded') ? el.getAttribute('aria-expanded') === 'true' : undefined,
      selected: el.getAttribute('aria-selected') === 'true',
      icon: el.querySelector('.custom-view-tree-node-item-icon')?.className ?? '',
    })));
    return rows.map((r) => ({ ...r, label: normalizeText(r.label), description: normalizeText(r.description) }));
  }

  private async geometry(): Promise<{ total: number; visible: number; rowHeight: number }> {
    return this.root.evaluate((el) => {
      const rows = el.querySelector('.monaco-list-rows') as unknown as { style: { height: string } } | null;
      const list = el.querySelector('.monaco-list') as unknown as { clientHeight: number } | null;
      const row = el.querySelector('.monaco-list-row') as unknown as { style: { height: string } } | null;
      return { total: Number.parseFloat(rows?.style.height ?? '0'), visible: list?.clientHeight ?? 0, rowHeight: Number.parseFloat(row?.style.height ?? '22') || 22 };
    });
  }

  /** Scrolls the tree with the mouse wheel; 'top' to the start. */
  private async scroll(by: number | 'top'): Promise<void> {
    const box = await this.root.locator('.monaco-list').first().boundingBox();
    if (!box) return;
    await this.page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height / 2, 200));
    await this.page.mouse.wheel(0, by === 'top' ? -1e6 : by);
    await sleep(150);
  }

  /**
   * Every row of the tree, in order. When more rows exist than fit (other tests share the
   * bed and fill levels with containers), the tree is scrolled through and back to the top.
   */
  async rows(): Promise<Row[]> {
    const { total, visible, rowHeight } = await this.geometry();
    const count = Math.round(total / rowHeight);
    const seen = new Map<number, Row>();
    for (const r of await this.renderedRows()) seen.set(r.index, r);
    if (seen.size < count) {
      await this.scroll('top');
      for (let stale = 0; seen.size < count && stale < 3;) {
        const before = seen.size;
        for (const r of await this.renderedRows()) seen.set(r.index, r);
        stale = seen.size === before ? stale + 1 : 0;
        await this.scroll(Math.max(rowHeight, visible * 0.8));
      }
      await this.scroll('top');
      await this.parkMouse();
    }
    return [...seen.values()].sort((a, b) => a.index - b.index);
  }

  /** Moves the mouse off the tree and waits for any hover card to go (for clean screenshots). */
  async parkMouse(): Promise<void> {
    const size = this.page.viewportSize() ?? { width: 1600, height: 1000 };
    await this.page.mouse.move(size.width - 4, Math.round(size.height / 2));
    await this.page.locator('.monaco-hover:visible, .workbench-hover:visible').first().waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
  }

  /** Scrolls until the row is rendered in view (rows outside the view are not in the DOM). */
  async reveal(label: string, level: number): Promise<void> {
    const target = (await this.rows()).find((r) => r.label === label && r.level === level);
    if (!target) throw new Error(`no row "${label}" at level ${level}`);
    const list = await this.root.locator('.monaco-list').first().boundingBox();
    if (!list) throw new Error('the tree is not visible');
    for (let i = 0; i < 60; i++) {
      const box = await this.rowLocator(label, level).boundingBox().catch(() => null);
      if (box && box.y >= list.y && box.y + box.height <= list.y + list.height) return;
      let down: boolean;
      if (box) {
        down = box.y > list.y;
      } else {
        const rendered = (await this.renderedRows()).map((r) => r.index);
        down = rendered.length === 0 || target.index > Math.max(...rendered);
      }
      await this.scroll((down ? 1 : -1) * Math.max(22, list.height / 3));
    }
    throw new Error(`cannot scroll row "${label}" into view`);
  }

  /** The row with this label at this aria-level (1 = a root daemon). */
  async find(label: string | RegExp, level?: number): Promise<Row | undefined> {
    return (await this.rows()).find((r) => (typeof label === 'string' ? r.label === label : label.test(r.label)) && (level === undefined || r.level === level));
  }

  async waitForRow(what: string, predicate: (r: Row) => boolean, timeoutMs = 60_000): Promise<Row> {
    return waitFor(what, async () => (await this.rows()).find(predicate), timeoutMs);
  }

  /** The rows directly below a row (its rendered children). */
  async children(label: string, level: number): Promise<Row[]> {
    const rows = await this.rows();
    const i = rows.findIndex((r) => r.label === label && r.level === level);
    if (i < 0) throw new Error(`no row "${label}" at level ${level}; rows: ${rows.map((r) => `${r.level}:${r.label}`).join(', ')}`);
    const out: Row[] = [];
    for (let j = i + 1; j < rows.length && rows[j].level > level; j++) if (rows[j].level === level + 1) out.push(rows[j]);
    return out;
  }

  /** The DOM row of a label at a level, for clicks. */
  rowLocator(label: string, level: number): Locator {
    return this.root.locator(`${ROW}[aria-level="${level}"]`)
      .filter({ has: this.page.locator('.label-name', { hasText: exactly(label) }) });
  }

  /**
   * Waits until no row is loading and the view shows no progress for quietMs: a person
   * waits for the tree to settle before aiming at a row. Gives up quietly after timeoutMs.
   */
  async settle(quietMs = 600, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      const busy = await this.root.evaluate((el) =>
        el.querySelectorAll('.codicon-tree-item-loading, .monaco-progress-container.active').length > 0).catch(() => true);
      if (busy) quietSince = Date.now();
      else if (Date.now() - quietSince >= quietMs) return;
      await sleep(100);
    }
  }

  /**
   * Expands a collapsed row by clicking its twistie (nothing if already expanded), once: a
   * refresh no longer makes VS Code forget a row under the click (the tree fetches before it
   * tells the view), so a missed click is a bug, not something to click again.
   */
  async expand(label: string, level: number): Promise<void> {
    await this.settle();
    const row = await waitFor(`row ${label}`, () => this.find(label, level), 60_000);
    if (row.expanded === true) return;
    if (row.expanded === undefined) throw new Error(`row ${label} cannot expand (not collapsible)`);
    await this.reveal(label, level);
    await this.rowLocator(label, level).locator('.monaco-tl-twistie').click();
    await waitFor(`row ${label} expanded after one click`, async () => ((await this.find(label, level))?.expanded ? true : undefined), 8000);
  }

  /**
   * Right-clicks a row and chooses a context-menu item, once; returns the menu's labels. A
   * command handed no node asks in a picker ("Pick … which …"): that would mean the tree
   * lost the row under the click, and fails.
   */
  async contextMenu(label: string, level: number, item: string): Promise<string[]> {
    await this.settle();
    await this.reveal(label, level);
    await this.rowLocator(label, level).click({ button: 'right' });
    const menuItem = this.page.locator('.monaco-menu a.action-menu-item').filter({ has: this.page.locator('.action-label', { hasText: exactly(item) }) });
    await menuItem.first().waitFor({ state: 'visible', timeout: 10_000 });
    const labels = (await this.page.locator('.monaco-menu a.action-menu-item .action-label').allTextContents()).map(normalizeText);
    await menuItem.first().click();
    const picker = await waitFor('fallback picker', async () => {
      const placeholder = await quickInputPlaceholder(this.page);
      return placeholder && /\bwhich\b/i.test(placeholder) ? placeholder : undefined;
    }, 1500, 100).catch(() => undefined);
    if (picker) throw new Error(`"${item}" on ${label} got no node and asked "${picker}": the tree lost the row under the click`);
    return labels;
  }

  /** Clicks an action of the view's title bar, e.g. "Refresh" (a single view shows them in the side bar's title). */
  async titleAction(title: string): Promise<void> {
    await this.page.locator(`.part.sidebar .title-actions .action-label[aria-label=${JSON.stringify(title)}], .part.sidebar .actions-container .action-label[aria-label=${JSON.stringify(title)}]`).first().click();
  }
}

/** The placeholder of the open quick input, or undefined when none is open. */
export async function quickInputPlaceholder(page: Page): Promise<string | undefined> {
  const widget = page.locator('.quick-input-widget');
  if (!(await widget.isVisible().catch(() => false))) return undefined;
  return (await widget.locator('.quick-input-box input').getAttribute('placeholder').catch(() => null)) ?? '';
}

export interface InputBoxState {
  title: string;
  prompt: string;
  value: string;
  placeholder: string;
}

/** Waits for an input box whose prompt matches, reads it, types the answer and presses Enter. */
export async function answerInputBox(page: Page, prompt: RegExp, answer: string, timeoutMs = 30_000): Promise<InputBoxState> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  const state = await waitFor(`input box "${prompt}"`, async () => {
    if (!(await widget.isVisible())) return undefined;
    const message = normalizeText((await widget.locator('.quick-input-message').textContent()) ?? '');
    if (!prompt.test(message)) return undefined;
    return {
      title: normalizeText((await widget.locator('.quick-input-title').textContent()) ?? ''),
      prompt: message,
      value: await input.inputValue(),
      placeholder: (await input.getAttribute('placeholder')) ?? '',
    };
  }, timeoutMs, 100);
  await input.fill(answer);
  await input.press('Enter');
  return state;
}

export interface DialogState {
  message: string;
  detail: string;
  buttons: string[];
}

/** Waits for a modal dialog whose message matches, reads it and clicks a button. */
export async function answerDialog(page: Page, message: RegExp, button: string, timeoutMs = 60_000, beforeClick?: (d: DialogState) => Promise<void>): Promise<DialogState> {
  const box = page.locator('.monaco-dialog-box');
  const state = await waitFor(`dialog "${message}"`, async () => {
    if (!(await box.isVisible())) return undefined;
    const text = normalizeText((await box.locator('.dialog-message-text').textContent()) ?? '');
    if (!message.test(text)) return undefined;
    return {
      message: text,
      detail: normalizeText((await box.locator('.dialog-message-detail').textContent()) ?? ''),
      buttons: (await box.locator('.dialog-buttons .monaco-button').allTextContents()).map(normalizeText),
    };
  }, timeoutMs, 100);
  if (beforeClick) await beforeClick(state);
  await box.locator('.dialog-buttons .monaco-button', { hasText: exactly(button) }).click();
  await box.waitFor({ state: 'hidden', timeout: 10_000 });
  return state;
}

/**
 * Records every notification toast and modal dialog that appears from now on (a
 * MutationObserver in the page), so a step can prove that none did.
 */
export async function watchPopups(page: Page): Promise<() => Promise<string[]>> {
  // A string, not a function: tsx would wrap named inner functions in a helper (__name)
  // that does not exist in the page.
  await page.evaluate(`(() => {
    window.__dlObserver?.disconnect();
    const popups = [];
    const seen = new WeakSet();
    const scan = () => {
      for (const el of document.querySelectorAll('.notifications-toasts .notification-toast, .monaco-dialog-box')) {
        if (seen.has(el)) continue;
        seen.add(el);
        const message = el.querySelector('.dialog-message-text, .notification-list-item-message');
        popups.push((el.classList.contains('monaco-dialog-box') ? 'dialog: ' : 'toast: ') + ((message || el).textContent || '').trim());
      }
    };
    const observer = new MutationObserver(scan);
    observer.observe(document.body, { subtree: true, childList: true });
    window.__dlPopups = popups;
    window.__dlObserver = observer;
    scan();
  })()`);
  return () => page.evaluate(() => [...((globalThis as unknown as { __dlPopups?: string[] }).__dlPopups ?? [])]);
}

/** True when the status bar bell says there are unread notifications. */
export async function hasUnreadNotifications(page: Page): Promise<boolean> {
  return (await page.locator('#status\\.notifications .codicon-bell-dot').count()) > 0;
}

/** The notification center's messages (opens and closes the center). */
export async function notificationMessages(page: Page): Promise<string[]> {
  await page.locator('#status\\.notifications a').click();
  await sleep(500);
  const messages = (await page.locator('.notifications-center .notification-list-item-message').allTextContents()).map(normalizeText);
  await page.locator('#status\\.notifications a').click();
  return messages;
}

/** Types a line into the active terminal, as a person does: click into it, type, Enter. */
export async function typeInTerminal(page: Page, line: string): Promise<void> {
  await page.locator('.terminal-wrapper.active .xterm').click();
  await page.keyboard.type(line, { delay: 20 });
  await page.keyboard.press('Enter');
}

/** The webview frame that holds `selector` (webviews are iframes nested in an iframe). */
export async function findWebviewFrame(page: Page, selector: string, timeoutMs = 60_000): Promise<Frame> {
  return waitFor(`a webview with ${selector}`, async () => {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
    }
    return undefined;
  }, timeoutMs, 250);
}

/** Drags the side bar's sash so that the tree's descriptions are readable in screenshots. */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const bar = await page.locator('.part.sidebar').boundingBox();
  const sash = await page.locator('.monaco-sash.primary-sidebar-sash').boundingBox();
  if (!bar || !sash || bar.width >= width) return;
  const x = sash.x + sash.width / 2;
  const y = sash.y + sash.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + (width - bar.width) / 2, y, { steps: 4 });
  await page.mouse.move(x + (width - bar.width), y, { steps: 4 });
  await page.mouse.up();
  await page.mouse.move(x + (width - bar.width) + 200, y); // off the sash, which highlights on hover
}
