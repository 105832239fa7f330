import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the nearest folder above `from` holding package.json.
 * The harness runs from harness/ under jest and from dist/harness/ when a
 * compiled benchmark imports it, so a fixed `..` would be wrong in one of the two.
 */
function findRepoRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRepoRoot();
export const repoPath = (...parts: string[]): string => join(REPO_ROOT, ...parts);
