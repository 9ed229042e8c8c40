// Builds a test image from a recipe folder under test/testbed/images/ the way
// test/testbed/setup.sh does (rootfs.sh fills a folder, `docker import` applies
// image.changes), for images only some tests need. The image carries a hash of the recipe
// (its folder and dind's, which the new recipes build on) and is rebuilt when that changes.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const IMAGES = path.resolve(__dirname, '..', 'testbed', 'images');
const RECIPE_LABEL = 'docker-levels.recipe';

function recipeHash(dirs: string[]): string {
  const h = createHash('sha256');
  for (const dir of dirs) {
    for (const f of readdirSync(path.join(IMAGES, dir)).sort()) h.update(`${dir}/${f}\0`).update(readFileSync(path.join(IMAGES, dir, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Makes `image` from images/`dir` unless it is there with the same recipe; returns whether it built. */
export function ensureTestImage(dir: string, image: string): boolean {
  const hash = recipeHash([dir, 'dind']);
  const current = spawnSync('docker', ['image', 'inspect', '-f', `{{index .Config.Labels "${RECIPE_LABEL}"}}`, image], { encoding: 'utf8' }).stdout?.trim();
  if (current === hash) return false;
  const changes = readFileSync(path.join(IMAGES, dir, 'image.changes'), 'utf8').split('\n')
    .filter((l) => l.trim() && !l.startsWith('#')).concat(`LABEL ${RECIPE_LABEL}=${hash}`).flatMap((l) => ['--change', l]);
  const rootfs = mkdtempSync(path.join(tmpdir(), 'docker-levels-rootfs-'));
  try {
    execFileSync(path.join(IMAGES, dir, 'rootfs.sh'), [rootfs], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
    execFileSync('bash', ['-c', 'set -o pipefail; root=$1 image=$2; shift 2; tar -C "$root" -c . | docker import "$@" - "$image" >/dev/null', '_', rootfs, image, ...changes],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
  // The image this one replaced is untagged now: remove it rather than leave it behind.
  const dangling = execFileSync('docker', ['image', 'ls', '-q', '--filter', 'dangling=true', '--filter', `label=${RECIPE_LABEL}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const id of dangling) spawnSync('docker', ['rmi', id]);
  return true;
}
