import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DOCKER_CLI } from '../../harness/images/importImage';
import { waitFor } from '../../harness/polling';
import { REPO_ROOT } from '../../harness/repoRoot';

const run = promisify(execFile);

/** Every stack this test deploys is named `<prefix>-<base36 ms>`; leftovers are found by it. */
export const STACK_PREFIX = 'asdeploy';
const NAMESPACE_LABEL = 'com.docker.stack.namespace';

/** What the checkout of a user holds: the files stack.yml reads, and the override. */
const CHECKOUT_PARTS = ['stack.yml', 'deploy', 'prometheus', 'alertmanager', 'rules', 'grafana'];

export function newStackName(now = Date.now()): string {
  return `${STACK_PREFIX}-${now.toString(36)}`;
}

/** When the stack was named (undefined for names not made by newStackName). */
export function stackCreatedAt(name: string): number | undefined {
  const match = new RegExp(`^${STACK_PREFIX}-([0-9a-z]+)$`).exec(name);
  return match?.[1] ? parseInt(match[1], 36) : undefined;
}

export const dockerCli = async (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> => {
  try {
    const { stdout } = await run(DOCKER_CLI, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 32 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    throw new Error(`docker ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`, { cause: err });
  }
};

const lines = (out: string): string[] =>
  out
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** A copy of the repository's deployable files in a temporary directory: the user's checkout, free to edit. */
export function copyCheckout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${STACK_PREFIX}-checkout-`));
  for (const part of CHECKOUT_PARTS) fs.cpSync(path.join(REPO_ROOT, part), path.join(dir, part), { recursive: true });
  return dir;
}

/**
 * Runs `sed -i -e <script> <file>` in the checkout, the edit README's deploy
 * section has the user make, and returns that command line; throws when it
 * changed nothing (sed itself does not), so a reshaped file fails loudly.
 */
export async function sedCheckoutFile(checkout: string, file: string, script: string): Promise<string> {
  const full = path.join(checkout, file);
  const before = fs.readFileSync(full, 'utf8');
  await run('sed', ['-i', '-e', script, file], { cwd: checkout });
  if (fs.readFileSync(full, 'utf8') === before) throw new Error(`${file}: sed -e '${script}' changed nothing`);
  // Double quotes let README's form expand ${STACK}; a script with quotes of its own keeps single ones.
  return script.includes('"') ? `sed -i -e '${script}' ${file}` : `sed -i -e "${script}" ${file}`;
}

/**
 * The commands of README's "Deploy the whole system" block: comment lines
 * dropped, trailing `# comments` cut, `\`-continued lines joined.
 */
export function readmeDeployCommands(): string[] {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Deploy the whole system'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.replace(/\s+# .*$/, '').trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** True when nothing listens on `port` on any address (host-mode ports bind 0.0.0.0). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/**
 * `count` free ports in 19000-19899, away from what other processes here use
 * (RabbitMQ 5672/15672/15692/25672/4369, 9090, 9093, 8080).
 */
export async function pickHostPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  const start = 19000 + Math.floor(Math.random() * 800);
  for (let offset = 0; offset < 900 && ports.length < count; offset += 1) {
    const port = 19000 + ((start - 19000 + offset) % 900);
    if (await portIsFree(port)) ports.push(port);
  }
  if (ports.length < count) throw new Error('no free ports in 19000-19899');
  return ports;
}

/** `printf %s value | docker secret create name -`, as docs/deploy.md has the user do it. */
export function createSecret(name: string, value: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(DOCKER_CLI, ['secret', 'create', name, '-'], (err, _stdout, stderr) =>
      err ? reject(new Error(`docker secret create ${name} failed: ${stderr}`)) : resolve(),
    );
    child.stdin?.end(value);
  });
}

export interface Leftovers {
  services: string[];
  configs: string[];
  secrets: string[];
  networks: string[];
  volumes: string[];
}

/** Everything of the stack `name` (by the stack label, and secrets/volumes by name prefix). */
export async function listStackObjects(name: string): Promise<Leftovers> {
  const label = `label=${NAMESPACE_LABEL}=${name}`;
  // `<stack>_<x>`, and configs named `..._<CONFIG_VERSION>` with CONFIG_VERSION `<stack>-<n>`.
  const byName = (all: string[]): string[] => all.filter((item) => item.startsWith(`${name}_`) || item.includes(`_${name}-`));
  return {
    services: lines(await dockerCli(['service', 'ls', '--filter', label, '--format', '{{.Name}}'])),
    configs: [
      ...new Set([
        ...lines(await dockerCli(['config', 'ls', '--filter', label, '--format', '{{.Name}}'])),
        ...byName(lines(await dockerCli(['config', 'ls', '--format', '{{.Name}}']))),
      ]),
    ],
    secrets: byName(lines(await dockerCli(['secret', 'ls', '--format', '{{.Name}}']))),
    networks: lines(await dockerCli(['network', 'ls', '--filter', label, '--format', '{{.Name}}'])),
    volumes: [
      ...new Set([
        ...lines(await dockerCli(['volume', 'ls', '--filter', label, '--format', '{{.Name}}'])),
        ...byName(lines(await dockerCli(['volume', 'ls', '--format', '{{.Name}}']))),
      ]),
    ],
  };
}

export const isEmpty = (left: Leftovers): boolean => Object.values(left).every((items: string[]) => items.length === 0);

/**
 * `docker stack rm`, then waits for its containers and networks to go; then
 * removes what `stack rm` by design keeps: the external secrets created for the
 * stack and its named volumes. Resolves with what is still there (configs and
 * networks included: `stack rm` must have removed them).
 */
export async function removeStack(name: string, timeoutMs = 120_000): Promise<Leftovers> {
  const containersGone = async (): Promise<boolean> => lines(await dockerCli(['ps', '-aq', '--filter', `label=${NAMESPACE_LABEL}=${name}`])).length === 0;
  await dockerCli(['stack', 'rm', name]).catch(() => undefined);
  await waitFor(`containers of ${name} to go`, containersGone, timeoutMs, 2000).catch(() => undefined);
  // Networks still in use by stopping tasks survive the first `stack rm`: ask again.
  await dockerCli(['stack', 'rm', name]).catch(() => undefined);
  await waitFor(`networks of ${name} to go`, async () => (await listStackObjects(name)).networks.length === 0, 60_000, 2000).catch(() => undefined);
  const left = await listStackObjects(name);
  for (const secret of left.secrets) await dockerCli(['secret', 'rm', secret]).catch(() => undefined);
  for (const volume of left.volumes) await dockerCli(['volume', 'rm', volume]).catch(() => undefined);
  return listStackObjects(name);
}

/**
 * Stacks of earlier runs of this test (prefix, and named more than `olderThanMs`
 * ago, so that a run going on in parallel is left alone), found by every kind of
 * object they may have left.
 */
export async function findStaleStacks(olderThanMs: number, now = Date.now()): Promise<string[]> {
  const names = new Set<string>();
  const collect = (items: string[]): void => {
    for (const item of items) {
      const stack = new RegExp(`(${STACK_PREFIX}-[0-9a-z]+)`).exec(item)?.[1];
      const created = stack ? stackCreatedAt(stack) : undefined;
      if (stack && created !== undefined && now - created > olderThanMs) names.add(stack);
    }
  };
  collect(lines(await dockerCli(['stack', 'ls', '--format', '{{.Name}}'])));
  collect(lines(await dockerCli(['service', 'ls', '--format', '{{.Name}}'])));
  collect(lines(await dockerCli(['config', 'ls', '--format', '{{.Name}}'])));
  collect(lines(await dockerCli(['secret', 'ls', '--format', '{{.Name}}'])));
  collect(lines(await dockerCli(['network', 'ls', '--format', '{{.Name}}'])));
  collect(lines(await dockerCli(['volume', 'ls', '--format', '{{.Name}}'])));
  return [...names];
}
