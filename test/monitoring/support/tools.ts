import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (tests read the committed files, nothing outside the repo). */
export const ROOT = resolve(__dirname, '../../..');
export const repoPath = (...parts: string[]): string => join(ROOT, ...parts);

export const BIN = {
  promtool: '/usr/bin/promtool',
  amtool: '/usr/bin/amtool',
  prometheus: '/usr/bin/prometheus',
  alertmanager: '/usr/bin/prometheus-alertmanager',
} as const;

/** A missing tool is a failure, never a skip: these checks are the point of the suite. */
export function requireBinary(path: string): string {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: install Prometheus/Alertmanager (bash scripts/setup-test-env.sh) — this test never skips`);
  }
  return path;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr, for assertion messages. */
  output: string;
}

export function run(bin: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): RunResult {
  const result = spawnSync(requireBinary(bin), args, {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
  });
  if (result.error) throw result.error;
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  return { code: result.status, stdout, stderr, output: `$ ${bin} ${args.join(' ')}\n${stdout}${stderr}` };
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `alertscale-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no port'));
        else resolvePort(address.port);
      });
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/** A long-running process (Prometheus, Alertmanager) whose output is kept for failure messages. */
export class Daemon {
  private readonly child: ChildProcess;
  private log = '';
  private exited = false;

  constructor(
    readonly name: string,
    bin: string,
    args: string[],
  ) {
    this.child = spawn(requireBinary(bin), args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      this.log = (this.log + chunk.toString()).slice(-8000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('exit', () => {
      this.exited = true;
    });
  }

  get output(): string {
    return `--- ${this.name} output (last lines) ---\n${this.log}`;
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after 5s; resolves once the process is gone. */
  async stop(): Promise<void> {
    if (this.exited || this.child.exitCode !== null) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
}

/** Waits for `<base>/-/ready` (Prometheus and Alertmanager both serve it). */
export async function waitReady(daemon: Daemon, base: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    `${daemon.name} at ${base}/-/ready`,
    async () => {
      if (daemon.hasExited) throw new Error(`${daemon.name} exited\n${daemon.output}`);
      const res = await fetch(`${base}/-/ready`);
      return res.ok ? true : undefined;
    },
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${daemon.output}`);
  });
}
