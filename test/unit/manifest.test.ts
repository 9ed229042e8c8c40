import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const commandDir = path.join(root, 'src', 'extension', 'commands');

function implementedCommandIds(): string[] {
  return readdirSync(commandDir).flatMap((f) => [...readFileSync(path.join(commandDir, f), 'utf8').matchAll(/id: '(docker-levels\.[A-Za-z]+)'/g)].map((m) => m[1]));
}

describe('package.json manifest (unit)', () => {
  it('declares exactly the commands that are implemented and registered', () => {
    const declared = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(implementedCommandIds().sort(), declared);
    const registry = readFileSync(path.join(commandDir, 'registerCommands.ts'), 'utf8');
    for (const file of readdirSync(commandDir)) {
      const spec = /export const (\w+Command): CommandSpec/.exec(readFileSync(path.join(commandDir, file), 'utf8'))?.[1];
      if (spec) assert.match(registry, new RegExp(`\\b${spec}\\b[,\\s]`), `${spec} is in the registration list`);
    }
  });

  it('menus only name declared commands, with anchored contextValue regexes', () => {
    const declared = new Set(manifest.contributes.commands.map((c: { command: string }) => c.command));
    const menus = Object.values(manifest.contributes.menus).flat() as { command: string; when?: string }[];
    for (const m of menus) {
      assert.ok(declared.has(m.command), m.command);
      for (const re of (m.when ?? '').matchAll(/viewItem =~ \/([^/]*)\//g)) assert.ok(re[1].startsWith('^dockerLevels:'), `${m.command}: ${re[1]}`);
    }
  });

  it('node-only commands stay out of the palette', () => {
    const never = manifest.contributes.menus.commandPalette.filter((m: { when: string }) => m.when === 'never').map((m: { command: string }) => m.command);
    assert.ok(never.includes('docker-levels.retry'));
  });

  it('every setting the code reads is declared', () => {
    const settings = readFileSync(path.join(root, 'src', 'extension', 'settings.ts'), 'utf8');
    const read = [...settings.matchAll(/(?:get|userOnly)<[^>]+>\('(\w+)'/g)].map((m) => `dockerLevels.${m[1]}`);
    assert.ok(read.length >= 7);
    for (const key of read) assert.ok(manifest.contributes.configuration.properties[key], key);
  });

  it('declares limited Restricted Mode support, restricting exactly the settings read from user settings only', () => {
    const trust = manifest.capabilities?.untrustedWorkspaces;
    assert.equal(trust?.supported, 'limited');
    assert.ok(typeof trust.description === 'string' && trust.description.length > 20);
    const settings = readFileSync(path.join(root, 'src', 'extension', 'settings.ts'), 'utf8');
    const userOnly = [...settings.matchAll(/userOnly<[^>]+>\('(\w+)'/g)].map((m) => `dockerLevels.${m[1]}`).sort();
    assert.ok(userOnly.length >= 2, 'settings.ts reads endpoints and the image through userOnly');
    assert.deepEqual([...trust.restrictedConfigurations].sort(), userOnly);
  });

  it('ships light and dark icons for what codicons do not cover', () => {
    for (const theme of ['light', 'dark']) assert.ok(readFileSync(path.join(root, 'resources', theme, 'level.svg'), 'utf8').includes('<svg'));
    assert.ok(readFileSync(path.join(root, manifest.contributes.viewsContainers.activitybar[0].icon), 'utf8').includes('<svg'));
  });
});
