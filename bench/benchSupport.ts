import os from 'node:os';
import winston from 'winston';
import { composeAlertscale } from '../src/composeAlertscale';
import { loadConfig } from '../src/config/loadConfig';
import { listenOnLoopback } from '../harness/listenOnLoopback';
import { createTestService } from '../harness/swarmServices';
import { percentile } from './percentile';

export const BENCH_TOKEN = 'bench-token';

/** Runs a benchmark's main and exits: 0 when it finished, 1 (with the error) when it failed. */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** alertscale wired exactly as main.ts wires it, logging only errors so logging does not dominate. */
export async function startAlertscale(env: Record<string, string> = {}) {
  const config = loadConfig({ WEBHOOK_TOKEN: BENCH_TOKEN, LOG_LEVEL: 'error', ...env });
  const logger = winston.createLogger({ level: 'error', transports: [new winston.transports.Console()] });
  const alertscale = await composeAlertscale(config, { logger });
  return { ...alertscale, ...(await listenOnLoopback(alertscale.app)) };
}

/** A sleeping busybox service on the host network, opted in with no cooldowns. */
export async function createBenchService(name: string, labels: Record<string, string> = {}): Promise<void> {
  await createTestService(name, {
    labels: { 'alertscale.enabled': 'true', 'alertscale.max': '3', 'alertscale.min': '1', 'alertscale.cooldown.up': '0s', 'alertscale.cooldown.down': '0s', ...labels },
  });
}

export function summarize(samplesMs: number[]): { p50: number; p99: number; n: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}
