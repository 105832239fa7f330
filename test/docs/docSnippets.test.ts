import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { readScaleRoutes } from '../../src/adapters/alertmanager/readScaleRoutes';
import { checkDedupWindow } from '../../src/config/checkDedupWindow';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config/loadConfig';
import { parsePolicy } from '../../src/domain/parsePolicy';
import { findStackConfigCli } from '../support/stackConfig';
import { BIN, requireBinary } from '../../harness/ownedProcess';

const ROOT = join(__dirname, '../..');

/** README.md and every docs/**\/*.md. */
function docFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : []));
  return [join(ROOT, 'README.md'), ...walk(join(ROOT, 'docs'))];
}

interface Snippet {
  where: string;
  language: string;
  /** The `# doc-check: <check>` marker on the block's first line, if any. */
  check: string | undefined;
  text: string;
}

function snippets(): Snippet[] {
  return docFiles().flatMap((file) => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const found: Snippet[] = [];
    for (let index = 0; index < lines.length; index += 1) {
      const open = /^```(\w*)\s*$/.exec(lines[index] as string);
      if (!open) continue;
      const end = lines.indexOf('```', index + 1);
      const body = lines.slice(index + 1, end);
      const marker = /^# doc-check: (.+)$/.exec(body[0] ?? '');
      found.push({ where: `${relative(ROOT, file)}:${index + 1}`, language: open[1] as string, check: marker?.[1], text: body.join('\n') + '\n' });
      index = end;
    }
    return found;
  });
}

/** Config blocks: YAML, env files, and any block whose marker says it is checked. */
const CONFIG_LANGUAGES = new Set(['yaml', 'yml', 'env', 'dotenv']);
const all = snippets();
const byCheck = (prefix: string) => all.filter((snippet) => snippet.check?.startsWith(prefix)).map((snippet) => [snippet.where, snippet] as const);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'alertscale-doc-snippets-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeSnippet(snippet: Snippet, name: string, text = snippet.text): string {
  const file = join(dir, `${snippet.where.replace(/[^\w]+/g, '_')}-${name}`);
  writeFileSync(file, text);
  return file;
}

function runTool(bin: string, args: string[]): { code: number | null; output: string } {
  const result = spawnSync(requireBinary(bin), args, { encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('config snippets in README.md and docs/', () => {
  test('when a doc has a config block, then it carries a doc-check marker, so no snippet goes unchecked', () => {
    const unmarked = all.filter((snippet) => CONFIG_LANGUAGES.has(snippet.language) && snippet.check === undefined).map((snippet) => snippet.where);
    expect(unmarked).toEqual([]);
    expect(all.filter((snippet) => snippet.check).length).toBeGreaterThanOrEqual(5);
  });

  test.each(byCheck('promtool check rules'))('when %s is a rule file, then promtool check rules passes', (_where, snippet) => {
    expect(runTool(BIN.promtool, ['check', 'rules', writeSnippet(snippet, 'rules.yml')])).toEqual({ code: 0, output: expect.stringMatching(/SUCCESS/) });
  });

  test.each(byCheck('promtool check config'))('when %s is a Prometheus config, then promtool check config passes', (_where, snippet) => {
    expect(runTool(BIN.promtool, ['check', 'config', writeSnippet(snippet, 'prometheus.yml')])).toEqual({ code: 0, output: expect.stringMatching(/SUCCESS/) });
  });

  test.each(byCheck('amtool check-config'))(
    'when %s is an Alertmanager config, then amtool accepts it, up inhibits down, and its timings fit the default DEDUP_WINDOW',
    (_where, snippet) => {
      expect(runTool(BIN.amtool, ['check-config', writeSnippet(snippet, 'alertmanager.yml')])).toEqual({ code: 0, output: expect.stringMatching(/SUCCESS/) });
      const config = parse(snippet.text) as { inhibit_rules?: Array<Record<string, unknown>> };
      expect(config.inhibit_rules).toContainEqual({ source_matchers: ['scale_action=~"up|to"'], target_matchers: ['scale_action="down"'], equal: ['scale_service'] });
      const routes = readScaleRoutes(snippet.text);
      expect(routes.length).toBeGreaterThan(0);
      expect(checkDedupWindow(loadConfig({ WEBHOOK_AUTH: 'none' }).DEDUP_WINDOW, routes)).toEqual([]);
    },
  );

  test.each(byCheck('docker stack config'))(
    "when %s is a stack file (or a service's deploy section), then docker stack config accepts it and alertscale accepts its labels",
    (_where, snippet) => {
      const isFragment = /^deploy:/m.test(snippet.text) && !/^services:/m.test(snippet.text);
      const stack = isFragment ? `services:\n  snippet:\n    image: busybox\n${snippet.text.replace(/^/gm, '    ')}` : snippet.text;
      const file = writeSnippet(snippet, 'stack.yml', stack);
      execFileSync(findStackConfigCli(), ['stack', 'config', '-c', file], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' }, stdio: 'pipe' });
      const services = (parse(stack) as { services: Record<string, { deploy?: { labels?: Record<string, string> } }> }).services;
      for (const service of Object.values(services)) {
        const labels = service.deploy?.labels ?? {};
        if (labels['alertscale.enabled'] === 'true') expect(parsePolicy(labels, 100)).toMatchObject({ ok: true });
      }
    },
  );

  test("when any code block in the docs sets one of alertscale's variables (VAR=value), then the value is valid", () => {
    const names = CONFIG_VARIABLES.join('|');
    const assignments = all.flatMap((snippet) =>
      [...snippet.text.matchAll(new RegExp(`(?:^|[\\s"'])(${names})=([^\\s"'$<]+)(?=[\\s"']|$)`, 'gm'))].map((match) => ({
        where: snippet.where,
        variable: match[1] as string,
        value: match[2] as string,
      })),
    );
    expect(assignments.length).toBeGreaterThanOrEqual(9);
    const refused = assignments.filter(({ variable, value }) => {
      try {
        loadConfig({ WEBHOOK_AUTH: 'none', [variable]: value }, () => 'a-token');
        return false;
      } catch {
        return true;
      }
    });
    expect(refused).toEqual([]);
  });

  test.each(byCheck('alertscale env'))('when %s is an alertscale environment, then the configuration accepts every value', (_where, snippet) => {
    const env = Object.fromEntries(
      snippet.text
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(Object.keys(env).length).toBeGreaterThan(0);
    expect(() => loadConfig(env, () => 'a-token-from-the-secret')).not.toThrow();
  });
});
