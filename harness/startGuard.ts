import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { MAIN_JS } from './startAlertscale';
import { findFreePort, sleep } from './polling';

export const GUARD_JS = join(dirname(MAIN_JS), 'guard', 'main.js');

export interface RunningGuard {
  port: number;
  /** DOCKER_HOST for a client of the guard. */
  dockerHost: string;
  output: () => string;
  child: () => ChildProcess;
  /** SIGTERM; resolves once it exited. */
  stop: () => Promise<void>;
  /** Stops it and starts it again on the same port. */
  restart: () => Promise<void>;
}

/** Runs the built guard (dist/src/guard/main.js) on a free loopback port, in front of the real Docker socket unless told otherwise. */
export async function startGuard(env: Record<string, string> = {}): Promise<RunningGuard> {
  if (!existsSync(GUARD_JS)) throw new Error(`${GUARD_JS} is missing: run \`npm run build\` first (npm test does)`);
  const port = await findFreePort();
  let output = '';
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(process.execPath, [GUARD_JS], {
      env: { PATH: process.env.PATH ?? '', GUARD_LISTEN: `tcp://127.0.0.1:${port}`, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => (output += String(chunk)));
    child.stderr?.on('data', (chunk) => (output += String(chunk)));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the guard exited with ${child.exitCode}:\n${output}`);
      if (
        await fetch(`http://127.0.0.1:${port}/_ping`).then(
          (response) => response.status < 500,
          () => false,
        )
      )
        return;
      if (Date.now() > deadline) throw new Error(`the guard did not answer on ${port}:\n${output}`);
      await sleep(50);
    }
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  await launch();
  return {
    port,
    dockerHost: `tcp://127.0.0.1:${port}`,
    output: () => output,
    child: () => child,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}
