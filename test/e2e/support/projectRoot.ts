import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the nearest folder above `from` holding package.json.
 * The harness runs from test/e2e/support under jest and from
 * dist/test/e2e/support when bench/benchSpike.ts (compiled by `npm run build`)
 * imports it, so a fixed `../..` would be wrong in one of the two.
 */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const ROOT = projectRoot();
export const rootPath = (...parts: string[]): string => join(ROOT, ...parts);
