// `npm run test:ui`: Docker Levels driven as a person would, in the real workbench
// (code-server 4.139.1, pinned in test/vscode/testenv/install.sh) in Debian's chromium,
// against the real nested test bed (test/testbed/up.sh). The docker CLI, through `docker
// exec` chains, is the independent witness of what each level holds.
//
// Screenshots (one per step, one named after a failed step) go to
// $DOCKER_LEVELS_UI_SCREENSHOTS or test-results/ui/; with DOCKER_LEVELS_UI_README=1 the README
// screenshot is written to media/screenshot-levels.png too. Ends with "N passed, N failed".
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { startWorkbench, waitFor, type Workbench } from './harness/workbench';
import {
  containersAt, CreatedContainers, DIND_IMAGE, dockerAt, LEAF_IMAGE, loadImageAt, run, runDind, shortIdAt,
} from './dockerCli';
import { SETUP_STEP, StepRunner } from './stepRunner';
import { EXTRA_STEPS } from './steps';
import type { Bed, StepEnv } from './steps/uiStep';
import { expectRootCounts, expectRowsMatchCli, iconName, SHORT_ID, sleep, TRANSPORT } from './uiChecks';
import { countsOf, writeCounts } from '../support/stageCounts';
import {
  answerDialog, answerInputBox, findWebviewFrame, hasUnreadNotifications, LevelsView, notificationMessages,
  typeInTerminal, watchPopups, widenSideBar,
} from './workbenchUi';

const REPO = path.resolve(__dirname, '..', '..');
const SHOTS = path.resolve(process.env.DOCKER_LEVELS_UI_SCREENSHOTS || path.join(REPO, 'test-results', 'ui'));
const README_SHOT = path.join(REPO, 'media', 'screenshot-levels.png');
const RUN_ID = Date.now().toString(36).slice(-6);
/** Runs a setup command, its output in a log file next to the screenshots; returns stdout. */
async function setupCommand(what: string, file: string, args: string[], log: string, timeoutMs: number): Promise<string> {
  const r = await run(file, args, { timeoutMs });
  writeFileSync(path.join(SHOTS, log), `$ ${file} ${args.join(' ')}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}); see ${path.join(SHOTS, log)}:\n${(r.stderr || r.stdout).trim().split('\n').slice(-15).join('\n')}`);
  return r.stdout;
}

async function main(): Promise<number> {
  mkdirSync(SHOTS, { recursive: true });
  for (const f of readdirSync(SHOTS)) if (f.endsWith('.png')) rmSync(path.join(SHOTS, f), { force: true });
  const runner = new StepRunner(PLANNED_STEPS);
  const created = new CreatedContainers();
  let wb: Workbench | undefined;
  let bed: Bed | undefined;
  const timings: Array<[string, number]> = [];
  const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await fn();
    } finally {
      timings.push([what, Date.now() - t]);
    }
  };

  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      await wb?.close();
      const left = await created.removeAll();
      for (const l of left) process.stdout.write(`cleanup: could not remove ${l}\n`);
    })();
    return cleaning;
  };
  // Last resort: containers go even when the process is killed between steps.
  process.on('exit', () => created.removeAllSync());
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(sig, () => {
      process.stdout.write(`\n${sig}: cleaning up\n`);
      void cleanup().finally(() => {
        process.stdout.write(`interrupted; ${runner.summary()}\n`);
        process.exit(code);
      });
    });
  }

  const started = Date.now();
  try {
    await runner.step(SETUP_STEP, 'setup', 'Set up: chromium and code-server, the .vsix, the nested bed, the workbench', async (ctx) => {
      await timed('install chromium/code-server (install.sh)', () =>
        setupCommand('test/vscode/testenv/install.sh', 'bash', [path.join(REPO, 'test/vscode/testenv/install.sh')], 'install.log', 900_000));
      await timed('npm run package', () => setupCommand('npm run package', 'npm', ['run', '--silent', 'package'], 'package.log', 600_000));
      const json = await timed('test bed (up.sh)', () => setupCommand('test/testbed/up.sh', 'bash', [path.join(REPO, 'test/testbed/up.sh')], 'bed.log', 900_000));
      bed = JSON.parse(json.trim().split('\n').pop()!) as Bed;
      wb = await timed('workbench ready', () => startWorkbench({
        vsix: path.join(REPO, 'out', 'docker-levels.vsix'),
        screenshotDir: SHOTS,
        viewport: { width: 1600, height: 1000 },
        settings: {
          'dockerLevels.confirmPrivileged': true,
          'workbench.tree.indent': 10,
          // Ancestors pinned over the rows would cover what the test clicks and photographs.
          'workbench.tree.enableStickyScroll': false,
        },
      }));
      runner.setScreenshotter((name) => wb!.screenshot(name));
      for (const [what, ms] of timings) ctx.notes.push(`${what}: ${(ms / 1000).toFixed(1)} s`);
    });
    if (wb && bed) await runSteps(runner, wb, bed, created);
  } finally {
    await cleanup();
  }
  return finish(runner, timings, started);
}

/** How the bed's levels 1–3 are reached: ports published at levels 1 and 2, level 3 only by tunnel. */
const BED_TRANSPORTS = ['published', 'published', 'tunnel'];
/** The core flow's steps (1–8); the steps in test/ui/steps/ run after them, numbered on. */
const CORE_STEPS = 8;
/** The test steps after the setup; the run fails when fewer of them report. */
const PLANNED_STEPS = CORE_STEPS + EXTRA_STEPS.length;

/** Steps 1–8 in the workbench, in the order a person would go, then the steps of test/ui/steps. */
async function runSteps(runner: StepRunner, wb: Workbench, bed: Bed, created: CreatedContainers): Promise<void> {
  const page = wb.page;
  const view = new LevelsView(wb);
  const { l1, l2, l3 } = { l1: bed.l1.name, l2: bed.l2.name, l3: bed.l3.name };
  const chains = [[], [l1], [l1, l2], [l1, l2, l3]];
  const newLevel = `dl-ui-new-${RUN_ID}`;
  const innerLeaf = `dl-ui-inner-${RUN_ID}`;
  const cut = `dl-ui-cut-${RUN_ID}`;
  let web3Id = '';

  await runner.step(1, 'open-view', 'Open the Docker Levels view: the root daemon and its containers', async (ctx) => {
    await wb.openViewContainer('Docker Levels');
    await widenSideBar(page, 660);
    const hostName = (await dockerAt([], ['info', '-f', '{{.Name}}'])).trim();
    const root = await view.waitForRow('the local daemon', (r) => r.level === 1 && /^local\b/.test(r.label), 90_000);
    if (root.label !== `local (${hostName})`) throw new Error(`root row "${root.label}", expected "local (${hostName})" (docker info Name)`);
    if (root.expanded !== true) throw new Error('the root daemon is not expanded');
    ctx.notes.push(`root row: ${root.label} — ${root.description}`);
    await expectRootCounts(view, root.label, ctx);
    await expectRowsMatchCli(view, root.label, 1, [], ctx);
    const level = await view.find(l1, 2);
    if (!level || level.expanded === undefined || !/^L1 · /.test(level.description)) throw new Error(`${l1} is not shown as a level: ${JSON.stringify(level)}`);
  });

  await runner.step(2, 'expand-levels', 'Expand level 1 → 2 → 3 by clicking; rows = docker ps -a at each level', async (ctx) => {
    for (let depth = 1; depth <= 3; depth++) {
      const name = chains[depth][depth - 1];
      await view.expand(name, depth + 1);
      const row = await view.waitForRow(`${name} reached (transport in its description)`,
        (r) => r.label === name && r.level === depth + 1 && TRANSPORT.test(r.description), 90_000);
      ctx.notes.push(`L${depth} ${name}: ${row.description}`);
      const via = TRANSPORT.exec(row.description)?.[1];
      if (via !== BED_TRANSPORTS[depth - 1]) throw new Error(`${name} is reached by ${via}; the bed (and the README caption) gives ${BED_TRANSPORTS.join(', ')}`);
      await expectRowsMatchCli(view, name, depth + 1, chains[depth], ctx);
    }
  }, [1]);

  await runner.step(3, 'start-dind', `Start DinD Here on ${l2} (context menu, input boxes, modal)`, async (ctx) => {
    const menu = await view.contextMenu(l2, 3, 'Start DinD Here');
    ctx.notes.push(`context menu of ${l2}: ${menu.join(' | ')}`);
    const image = await answerInputBox(page, /Docker-in-Docker image/, DIND_IMAGE);
    if (!image.title.includes(l2)) throw new Error(`input box title "${image.title}" does not name ${l2}`);
    ctx.notes.push(`input box "${image.title}": "${image.prompt}" (default ${image.value}) ← ${DIND_IMAGE}`);
    const name = await answerInputBox(page, /Container name/, newLevel);
    ctx.notes.push(`input box: "${name.prompt}" ← ${newLevel}`);
    created.add(chains[2], newLevel);
    // The watcher that step 7 relies on to prove "no pop-up": here it must see this modal.
    const popups = await watchPopups(page);
    const dialog = await answerDialog(page, new RegExp(`^Start a privileged container on .*${l2}\\?$`), 'Start', 30_000,
      async () => { await ctx.screenshot('confirm'); });
    for (const b of ['Start', "Start and Don't Ask Again"]) if (!dialog.buttons.includes(b)) throw new Error(`the modal has no "${b}" button: ${dialog.buttons.join(', ')}`);
    ctx.notes.push(`modal: "${dialog.message}" [${dialog.buttons.join(' | ')}] ← Start`);
    const t = Date.now();
    const row = await view.waitForRow(`${newLevel} as an open level under ${l2}`,
      (r) => r.label === newLevel && r.level === 4 && /^L3 · /.test(r.description) && TRANSPORT.test(r.description) && r.expanded === true, 180_000);
    ctx.notes.push(`new row after ${((Date.now() - t) / 1000).toFixed(1)} s: ${row.label} — ${row.description} (revealed expanded)`);
    const cli = await containersAt(chains[2]);
    const state = (await dockerAt(chains[2], ['inspect', '-f', '{{.State.Status}}', newLevel])).trim();
    if (cli.get(newLevel) !== SHORT_ID.exec(row.description)?.[0] || state !== 'running') {
      throw new Error(`docker ps at ${l2} says ${newLevel} ${cli.get(newLevel) ?? 'is missing'} (${state}); the tree says ${row.description}`);
    }
    const seen = await popups();
    ctx.notes.push(`pop-ups while starting: ${seen.map((p) => p.slice(0, 100)).join(' / ') || 'none'}`);
    if (!seen.some((p) => /^dialog: Start a privileged container/.test(p))) throw new Error('the pop-up watcher did not see the confirmation modal');
    const kids = await view.children(newLevel, 4);
    ctx.notes.push(`under it: ${kids.map((k) => k.label).join(', ') || '(nothing yet)'}; docker ps at ${l2}: ${newLevel} ${cli.get(newLevel)} ${state}`);
  }, [2]);

  await runner.step(4, 'terminal-hostname', 'Open Terminal on dl-bed-web3 (depth 3), type hostname', async (ctx) => {
    web3Id = await shortIdAt(chains[3], bed.web3.name);
    await view.contextMenu(bed.web3.name, 5, 'Open Terminal');
    await page.locator('.terminal-wrapper.active').waitFor({ state: 'visible', timeout: 60_000 });
    await wb.waitForTerminalText(/[#$]$/m, 60_000);
    await typeInTerminal(page, 'hostname');
    const lines = await wb.waitForTerminalText(/hostname\n[0-9a-f]{12}\n/, 30_000).catch(async () => {
      throw new Error(`no hostname output; the terminal shows:\n${(await wb.terminalLines()).join('\n')}`);
    });
    const answer = lines[lines.findIndex((l) => /[#$] hostname$/.test(l)) + 1];
    ctx.notes.push(`terminal: ${lines.filter(Boolean).slice(-3).join(' ⏎ ')}`);
    if (answer !== web3Id) throw new Error(`hostname printed ${answer}, docker inspect at L3 says ${web3Id}`);
    const panel = ((await page.locator('.part.panel').textContent()) ?? '').replace(/\u00a0/g, ' ');
    const title = /dl-bed-web3 @ L3[^\n]*?dl-bed-l1/.exec(panel)?.[0];
    if (!title) throw new Error('the terminal is not named "dl-bed-web3 @ L3 …"');
    ctx.notes.push(`terminal "${title}": hostname = ${answer} = short ID of ${bed.web3.name} at L3 (docker inspect)`);
  }, [2]);

  await runner.step(5, 'lineage', 'Show ID Lineage on dl-bed-web3: one row per level, IDs match', async (ctx) => {
    const expected = [
      { container: l1, id: await shortIdAt(chains[0], l1) },
      { container: l2, id: await shortIdAt(chains[1], l2) },
      { container: l3, id: await shortIdAt(chains[2], l3) },
      { container: bed.web3.name, id: web3Id || await shortIdAt(chains[3], bed.web3.name) },
    ];
    await view.contextMenu(bed.web3.name, 5, 'Show ID Lineage');
    const frame = await findWebviewFrame(page, '#lineage');
    const rows = await waitFor('the lineage rows', async () => {
      const status = (await frame.locator('#status').textContent()) ?? '';
      const found = await frame.locator('#lineage tbody tr[data-depth]').evaluateAll((trs) => trs.map((tr) => {
        const cells = Array.from(tr.querySelectorAll('td') as ArrayLike<{ textContent: string | null }>, (td) => td.textContent ?? '');
        return {
          depth: Number(tr.getAttribute('data-depth')), daemon: cells[1], container: cells[2],
          id: tr.querySelector('.id')?.textContent ?? '', hostname: tr.querySelector('.hostname')?.textContent ?? '',
          match: tr.querySelector('.match') ? 'match' : tr.querySelector('.mismatch') ? 'mismatch' : '?',
        };
      }));
      return found.length === expected.length && !/Proving/.test(status) ? { found, status } : undefined;
    }, 90_000);
    ctx.notes.push(`panel: ${rows.status}`);
    rows.found.forEach((r, d) => {
      const e = expected[d];
      ctx.notes.push(`L${r.depth} daemon ${r.daemon}: ${r.container} id ${r.id} hostname ${r.hostname} ${r.match}`);
      if (r.depth !== d || r.container !== e.container || r.id !== e.id || r.hostname !== e.id || r.match !== 'match') {
        throw new Error(`lineage row ${d} is ${JSON.stringify(r)}; the CLI says ${e.container} ${e.id}`);
      }
      // A nested daemon is named after its container: the short ID one level up.
      if (d > 0 && r.daemon !== expected[d - 1].id) throw new Error(`daemon at L${d} is "${r.daemon}", expected ${expected[d - 1].id}`);
    });
  }, [2]);

  await runner.step(6, 'remove-level', `Remove ${newLevel} through its context menu; the warning counts what dies`, async (ctx) => {
    const inside = [...chains[2], newLevel];
    // Something inside the new level, so the cascade warning has something to count.
    await loadImageAt(inside, LEAF_IMAGE);
    created.add(inside, innerLeaf);
    await dockerAt(inside, ['run', '-d', '--name', innerLeaf, '--label', 'docker-levels-test=ui', LEAF_IMAGE]);
    await view.waitForRow(`${innerLeaf} under ${newLevel}`, (r) => r.label === innerLeaf && r.level === 5, 60_000);
    const dies = (await containersAt(inside)).size;
    const expected = `${dies} container${dies === 1 ? '' : 's'} in 1 level`;
    await view.contextMenu(newLevel, 4, 'Remove');
    const dialog = await answerDialog(page, new RegExp(`^Remove level ${newLevel}\\?$`), 'Remove', 60_000,
      async () => { await ctx.screenshot('confirm'); });
    ctx.notes.push(`modal: "${dialog.message}" — "${dialog.detail}" [${dialog.buttons.join(' | ')}] ← Remove`);
    if (!dialog.detail.includes(expected)) throw new Error(`the warning says "${dialog.detail}", expected it to count "${expected}" (docker ps -a inside)`);
    const t = Date.now();
    await waitFor(`${newLevel} to leave the tree`, async () => ((await view.find(newLevel)) ? undefined : true), 60_000);
    ctx.notes.push(`row gone after ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const left = await containersAt(chains[2]);
    if (left.has(newLevel)) throw new Error(`docker ps at ${l2} still lists ${newLevel}`);
    created.forget(innerLeaf);
    created.forget(newLevel);
    await expectRowsMatchCli(view, l2, 3, chains[2], ctx);
  }, [3]);

  await runner.step(7, 'cut-off-level', 'Cut off a level: its daemon dies, the tree shows a failure node, no pop-up', async (ctx) => {
    created.add([], cut);
    const privilege = await runDind([], cut, [], ['sleep', '1000000']);
    await waitFor(`the daemon inside ${cut}`, async () => ((await run('docker', ['exec', cut, 'docker', 'version'])).code === 0 ? true : undefined), 60_000, 500);
    ctx.notes.push(`docker run -d --name ${cut} (${privilege === 'privileged' ? '--privileged' : 'capability set, --privileged refused'}) ${DIND_IMAGE} sleep 1000000`);
    await view.waitForRow(`${cut} as a level`, (r) => r.label === cut && r.level === 2 && /^L1 · /.test(r.description), 60_000);
    await view.expand(cut, 2);
    const open = await view.waitForRow(`${cut} reached`, (r) => r.label === cut && r.level === 2 && TRANSPORT.test(r.description), 60_000);
    ctx.notes.push(`expanded: ${open.description}; under it: ${(await view.children(cut, 2)).map((r) => r.label).join(', ')}`);
    await ctx.screenshot('open');

    await wb.runCommand('Notifications: Clear All Notifications');
    const popups = await watchPopups(page);
    await dockerAt([], ['exec', cut, 'killall', 'dockerd']);
    await waitFor(`the daemon inside ${cut} to die`, async () => ((await run('docker', ['exec', cut, 'docker', 'version'])).code !== 0 ? true : undefined), 60_000, 500);
    const stillUp = (await dockerAt([], ['inspect', '-f', '{{.State.Status}}', cut])).trim();
    ctx.notes.push(`docker exec ${cut} killall dockerd: the container stays ${stillUp}, its daemon is gone`);
    await view.titleAction('Refresh');
    await view.expand(cut, 2);
    const failure = await waitFor('the failure node under the level', async () => {
      const kids = await view.children(cut, 2);
      return kids.find((k) => /cannot reach|no docker daemon answers/i.test(k.label));
    }, 60_000, 250);
    ctx.notes.push(`failure node: "${failure.label}" (icon ${iconName(failure.icon)})`);
    if (iconName(failure.icon) !== 'error') throw new Error(`the failure node has no error icon: ${failure.icon}`);
    await view.reveal(failure.label, 3);
    await view.rowLocator(failure.label, 3).hover();
    const retry = view.rowLocator(failure.label, 3).locator('.actions .action-label[aria-label="Retry"]');
    await retry.waitFor({ state: 'visible', timeout: 10_000 });
    ctx.notes.push('hovering it shows the Retry action');
    await ctx.screenshot('failure-node');
    await sleep(1500); // time for a toast to show, if one were coming
    const seen = await popups();
    if (seen.length > 0) throw new Error(`pop-ups appeared: ${seen.join(' / ')}`);
    if (await hasUnreadNotifications(page)) throw new Error(`notifications arrived: ${(await notificationMessages(page)).join(' / ')}`);
    ctx.notes.push('no modal dialog, no notification toast, no unread notification');
    const t = Date.now();
    await wb.runCommand('Docker Levels: Refresh');
    await view.waitForRow('the root daemon after a refresh', (r) => r.level === 1 && /^local\b/.test(r.label), 30_000);
    ctx.notes.push(`still responsive: palette → "Docker Levels: Refresh" → tree back in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    await dockerAt([], ['stop', '-t', '1', cut]);
    const stopped = await view.waitForRow(`${cut} as a stopped plain container`,
      // A plain container row is expandable only for its Files row: no level description, the plain icon.
      (r) => r.label === cut && r.level === 2 && !/^L\d/.test(r.description) && iconName(r.icon) === 'vm-outline', 60_000);
    const status = (await dockerAt([], ['inspect', '-f', '{{.State.Status}}', cut])).trim();
    ctx.notes.push(`docker stop ${cut} (${status}): row "${stopped.label} — ${stopped.description}", a plain container, no longer a level (icon ${iconName(stopped.icon)})`);
    if (iconName(stopped.icon) !== 'vm-outline') throw new Error(`the stopped container's icon is ${stopped.icon}`);
    await view.reveal(cut, 2);
    await ctx.screenshot('stopped');
    const after = await popups();
    if (after.length > 0) throw new Error(`pop-ups appeared: ${after.join(' / ')}`);
    await dockerAt([], ['rm', '-fv', cut]);
    created.forget(cut);
    await waitFor(`${cut} to leave the tree`, async () => ((await view.find(cut)) ? undefined : true), 60_000);
    // Only the root's subtree was redrawn since: its counts must have followed.
    await expectRootCounts(view, (await view.find(/^local\b/, 1))?.label ?? 'local', ctx);
  }, [1]);

  await runner.step(8, 'readme', 'README screenshot: the tree three levels deep, a terminal at depth 3', async (ctx) => {
    await view.settle();
    const web3 = await view.find(bed.web3.name, 5);
    if (!web3) throw new Error('dl-bed-web3 is not shown at depth 3');
    const lines = await wb.terminalLines();
    if (!lines.includes(web3Id)) throw new Error(`the terminal no longer shows the hostname:\n${lines.join('\n')}`);
    await view.parkMouse();
    const file = await ctx.screenshot();
    if (process.env.DOCKER_LEVELS_UI_README === '1') {
      copyFileSync(file, README_SHOT);
      ctx.notes.push(`copied to ${path.relative(REPO, README_SHOT)}`);
    }
  }, [4, 7]);

  const env: StepEnv = { wb, page, view, bed, chains, created, runId: RUN_ID };
  let number = CORE_STEPS;
  for (const step of EXTRA_STEPS) {
    number++;
    await runner.step(number, step.slug, step.title(env), (ctx) => step.run(ctx, env), step.needs);
  }
}

function finish(runner: StepRunner, timings: Array<[string, number]>, started: number): number {
  process.stdout.write(`\nscreenshots: ${SHOTS}\n`);
  process.stdout.write(`timings: ${[...timings.map(([w, ms]) => `${w} ${(ms / 1000).toFixed(1)} s`),
    ...runner.results.filter((r) => r.number > 0).map((r) => `step ${r.number} ${(r.ms / 1000).toFixed(1)} s`)].join(', ')}; total ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`${runner.summary()}\n`);
  const counts = runner.counts();
  writeCounts(process.env.DOCKER_LEVELS_TEST_COUNTS, counts);
  return runner.setupFailed || counts.failed > 0 || counts.notRun > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stdout.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    // Crashed outside any step: every planned step counts as not run.
    const counts = countsOf(PLANNED_STEPS, 0, 0, 0);
    writeCounts(process.env.DOCKER_LEVELS_TEST_COUNTS, counts);
    process.stdout.write(`0 passed, 0 failed, ${counts.notRun} skipped\n`);
    process.exit(1);
  },
);
