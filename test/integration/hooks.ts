/**
 * Root hooks: the real nested bed is brought up once for the whole integration run and
 * removed at the end (set DOCKER_LEVELS_KEEP_BED=1 to keep it between local runs).
 */
import { execFileSync } from 'node:child_process';
import { bringUpBed, REPO, tearDownBed } from './testBed';

export const mochaHooks = {
  beforeAll(this: Mocha.Context): void {
    this.timeout(900_000);
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
    bringUpBed();
  },
  afterAll(this: Mocha.Context): void {
    this.timeout(300_000);
    if (process.env.DOCKER_LEVELS_KEEP_BED !== '1') tearDownBed();
  },
};
