import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitFor } from './polling';

/** The Debian packages' binaries the tests and the loop run (installed by `npm run setup`). */
export const BIN = {
  promtool: '/usr/bin/promtool',
  amtool: '/usr/bin/amtool',
  prometheus: '/usr/bin/prometheus',
  alertmanager: '/usr/bin/prometheus-alertmanager',
} as const;

/** A missing tool is a failure, never a skip. */
export function requireBinary(path: string, what = path): string {
  if (!existsSync(path)) throw new Error(`${path} is missing (${what}): run \`npm run setup\` — these tests never skip`);
  return path;
}

/** Every child the harness started and has not stopped yet: killed if this process exits first. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

/**
 * A long-running process the harness owns (Prometheus, Alertmanager, the demo
 * producer). Output is kept (the last 16 kB) for failure messages. It is
 * stopped by its own pid only, SIGTERM then SIGKILL, and killed when the
 * harness' process exits without stopping it.
 */
export class OwnedProcess {
  private readonly child: ChildProcess;
  private log = '';
  private readonly stdoutChunks: Buffer[] = [];
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    bin: string,
    args: string[],
    /** keepAll: keep the whole stdout too (a tool's report), not only the last 16 kB. */
    options: { env?: NodeJS.ProcessEnv; cwd?: string; keepAll?: boolean } = {},
  ) {
    requireBinary(bin, name);
    installExitHook();
    this.child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(options.env ? { env: options.env } : {}), ...(options.cwd ? { cwd: options.cwd } : {}) });
    live.add(this.child);
    const keep = (chunk: Buffer): void => {
      this.log = (this.log + chunk.toString()).slice(-16_000);
    };
    this.child.stdout?.on('data', keep);
    if (options.keepAll) this.child.stdout?.on('data', (chunk: Buffer) => this.stdoutChunks.push(chunk));
    this.child.stderr?.on('data', keep);
    this.child.once('error', (error) => keep(Buffer.from(`spawn failed: ${error.message}\n`)));
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code) => {
        live.delete(this.child);
        resolve(code);
      }),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything written to stdout (only with keepAll). */
  get fullOutput(): string {
    return Buffer.concat(this.stdoutChunks).toString();
  }

  get output(): string {
    return `--- ${this.name} (last output) ---\n${this.log}`;
  }

  /** SIGINT, for a tool that ends a run early on it and still reports (hey prints its summary of what it sent). */
  interrupt(): void {
    if (this.running) this.child.kill('SIGINT');
  }

  /** SIGTERM, SIGKILL after `graceMs`; resolves with the exit code once it is gone. */
  async stop(graceMs = 5000): Promise<number | null> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.running && this.child.kill('SIGKILL'), graceMs);
      const code = await this.exited;
      clearTimeout(timer);
      return code;
    }
    return this.exited;
  }
}

/** Waits for `<base>/-/ready` (Prometheus and Alertmanager both serve it); fails at once, with its output, when the process exits. */
export async function waitReady(daemon: OwnedProcess, base: string, timeoutMs = 30_000): Promise<void> {
  const outcome = await waitFor(
    `${daemon.name} at ${base}/-/ready`,
    async () => (daemon.running ? (await fetch(`${base}/-/ready`)).ok && 'ready' : 'exited'),
    timeoutMs,
    100,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${daemon.output}`);
  });
  if (outcome === 'exited') throw new Error(`${daemon.name} exited\n${daemon.output}`);
}
