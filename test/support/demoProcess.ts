import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OwnedProcess } from '../../harness/ownedProcess';
import { compileProject } from '../../harness/images/compileProject';
import { REPO_ROOT } from '../../harness/repoRoot';

/** demo/ compiled into a temporary folder of the caller's own (no race with dist/); remove it with fs.rmSync. */
export function compileDemo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertscale-demo-'));
  compileProject(REPO_ROOT, ['demo'], dir);
  return dir;
}

/** Runs demo/<script>.js from `compileDemo()`'s folder as a plain process, resolving modules from the project. */
export function startDemoProcess(buildDir: string, script: 'api' | 'worker' | 'producer', name: string, env: Record<string, string>): OwnedProcess {
  return new OwnedProcess(name, process.execPath, [path.join(buildDir, 'demo', `${script}.js`)], {
    env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(REPO_ROOT, 'node_modules'), LOG_LEVEL: 'warn', ...env },
  });
}
