// Runs inside code-server's real extension host (see index.ts): the extension is installed
// from the development path and must activate and register its commands.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { testLog } from './testLog';

const EXTENSION_ID = 'docker-levels.docker-levels';

describe('activation', () => {
  it(`finds the extension ${EXTENSION_ID}`, () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  });

  it('activates it', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    assert.ok(ext.isActive, 'extension did not become active');
  });

  it('registers the command docker-levels.refresh', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('docker-levels.refresh'), 'command docker-levels.refresh is not registered');
  });

  it('runs in a real extension host', () => {
    // Not a mock: a released VS Code API, and our extension loaded from this checkout (this
    // bundle runs from out/test/suite), so the host is running the code under test.
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.equal(path.resolve(ext!.extensionPath), path.resolve(__dirname, '..', '..', '..'));
    assert.ok(vscode.env.appName.length > 0, 'the host names itself');
    testLog(`    (VS Code ${vscode.version}, appHost ${vscode.env.appHost}, remote ${vscode.env.remoteName ?? 'none'}, node ${process.version}, pid ${process.pid})`);
  });
});
