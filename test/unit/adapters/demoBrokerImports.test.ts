import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from '../../../harness/repoRoot';
import { DEMO_SHARED_SOURCES } from '../../../harness/workerService';

/** Every project file a file reaches through relative imports, transitively. */
function reachableFrom(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { fileName } of ts.preProcessFile(fs.readFileSync(file, 'utf8')).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), fileName);
      const found = [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => fs.existsSync(candidate));
      if (!found) throw new Error(`${path.relative(REPO_ROOT, file)} imports ${fileName}, which is not a TypeScript file of the project`);
      pending.push(found);
    }
  }
  return seen;
}

describe('the demo and the broker connection it shares with alertscale', () => {
  test('when the demo is compiled, then the only part of src/ it reaches is the broker connection folder the worker image hash covers', () => {
    const demoDir = path.join(REPO_ROOT, 'demo');
    const entries = fs
      .readdirSync(demoDir)
      .filter((name) => name.endsWith('.ts'))
      .map((name) => path.join(demoDir, name));
    const outside = [...reachableFrom(entries)]
      .map((file) => path.relative(REPO_ROOT, file))
      .filter((file) => !file.startsWith(`demo${path.sep}`) && !file.startsWith(`${DEMO_SHARED_SOURCES}/`));
    expect(outside).toEqual([]);
  });

  test('when the demo connects to the broker, then it uses the connection module of alertscale (one reconnect strategy)', () => {
    const reached = reachableFrom([path.join(REPO_ROOT, 'demo', 'connectBroker.ts')]);
    expect(reached).toContain(path.join(REPO_ROOT, DEMO_SHARED_SOURCES, 'brokerConnection.ts'));
  });
});
