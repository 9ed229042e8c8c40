/**
 * What the hostile-level suites share: the controls a terminal acts on, honest answers for the
 * parts a test does not make lie, the check of a clear error, and the CLI run in a child process
 * that reports its peak memory. The lying itself is test/support/fakeLyingDaemon.ts.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { DockerLevelsError } from '../../src/core';

// Every control a terminal acts on: C0 but \n, DEL, C1, and the bidi overrides.
// eslint-disable-next-line no-control-regex
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The message of an answer cut at MAX_JSON_BODY_BYTES. */
export const OVERSIZE = /larger than 64 MiB, which no Docker daemon sends/;

/** A container inspect answer of the real shape, for the parts a test does not make lie. */
export function honestInspect(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Id: id, Name: '/c', State: { Running: true, Status: 'running' }, HostConfig: {},
    Config: { Hostname: id.slice(0, 12), Image: 'busybox', Env: [], Labels: {}, ExposedPorts: {} }, NetworkSettings: { Ports: {}, Networks: {} }, ...extra,
  };
}

/** One entry of a container listing, of the real shape. */
export const listed = (id: string, name: string, image: string) => ({ Id: id, Names: [`/${name}`], Image: image, State: 'running', Status: 'Up', Labels: {} });

/** A DockerLevelsError whose message says `pattern` and carries no raw control text. */
export function clearError(pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof DockerLevelsError, `a classified error, not ${String(e)}`);
    assert.match(e.message, pattern);
    assert.doesNotMatch(e.userMessage, RAW_CONTROL);
    return true;
  };
}

const CLI = path.resolve(__dirname, '../../out/cli.js');

export interface CliRun { code: number | null; stdout: string; stderr: string; maxRssMb: number }

/** The CLI (out/cli.js, built) in a child process of its own, which reports its peak memory as it exits. */
export function runCli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const boot = `process.on('exit',()=>process.stderr.write('\\nmaxrss-kb='+process.resourceUsage().maxRSS+'\\n'));`
    + `process.argv.splice(1,0,${JSON.stringify(CLI)});require(${JSON.stringify(CLI)});`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', boot, ...args], { env: { ...process.env, DOCKER_HOST: '', ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /maxrss-kb=(\d+)/.exec(stderr);
      resolve({ code, stdout, stderr: stderr.replace(/\nmaxrss-kb=\d+\n/, ''), maxRssMb: rss ? Number(rss[1]) / 1024 : NaN });
    });
  });
}
