// Every command the extension declares is named by a test that runs in the real extension
// host (test/vscode) or in the browser (test/ui): a command no test names is a command no
// test runs.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function testSources(): string {
  return ['test/vscode', 'test/ui'].flatMap((dir) => (readdirSync(path.join(root, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(root, dir, f), 'utf8'))).join('\n');
}

describe('command coverage (unit)', () => {
  it('every command in package.json is named by an extension-host or browser test', () => {
    const sources = testSources();
    const declared: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(declared.length >= 20, `${declared.length} commands declared`);
    // Quoted, so that docker-levels.start does not count for docker-levels.startContainer.
    const untested = declared.filter((id) => !new RegExp(`['"\`]${id.replace('.', '\\.')}['"\`]`).test(sources));
    assert.deepEqual(untested, [], 'commands no test names');
  });
});
