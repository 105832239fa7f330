/**
 * Writes grafana/dashboards/*.json from dashboards.ts.
 *   node <compiled>/grafana/generate/generateDashboards.js <output dir> [--check]
 * Run it through scripts/generate-dashboards.sh (npm run generate:dashboards),
 * which compiles this folder with the project's TypeScript first.
 * --check writes nothing and exits 1 when a committed file differs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDashboards } from './dashboards';

function main(argv: string[]): number {
  const outDir = argv.find((a) => !a.startsWith('--'));
  const check = argv.includes('--check');
  if (outDir === undefined) {
    process.stderr.write('usage: generateDashboards <output dir> [--check]\n');
    return 2;
  }
  let stale = 0;
  if (!check) mkdirSync(outDir, { recursive: true });
  for (const { file, content } of renderDashboards()) {
    const path = join(outDir, file);
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (current === content) continue;
    if (check) {
      process.stderr.write(`${path} is not what grafana/generate produces\n`);
      stale += 1;
    } else {
      writeFileSync(path, content);
      process.stdout.write(`wrote ${path}\n`);
    }
  }
  return stale === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
