import type { LoopStack } from '../harness/loopStack';
import { repoPath } from '../harness/repoRoot';

/** A benchmark setting from the environment (documented in each benchmark's CONFIG). */
export const env = (name: string, fallback: string): string => process.env[name] ?? fallback;

export const num = (name: string, fallback: number): number => {
  const value = Number(env(name, String(fallback)));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

/**
 * What every loop benchmark reads alike: the loop's Prometheus timings (the
 * shipped 15s unless a benchmark's scaling job is scraped faster), Prometheus'
 * resend delay, the phases to run (BENCH_PHASES, comma-separated keys) and
 * where the report goes.
 */
export function loopSettings(defaults: { scrapeInterval: string; phases: string }): {
  scrapeInterval: string;
  evaluationInterval: string;
  resendDelay: string;
  phases: string[];
  outDir: string;
} {
  return {
    scrapeInterval: env('BENCH_SCRAPE_INTERVAL', defaults.scrapeInterval),
    evaluationInterval: env('BENCH_EVAL_INTERVAL', '15s'),
    resendDelay: env('BENCH_RESEND_DELAY', '1m'),
    phases: env('BENCH_PHASES', defaults.phases)
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
    outDir: env('BENCH_OUT_DIR', repoPath('docs', 'bench')),
  };
}

/** The phases named in BENCH_PHASES, in that order; an unknown key is refused by name. */
export function selectPhases<T>(keys: string[], specs: Record<string, T>): T[] {
  return keys.map((key) => {
    const spec = specs[key];
    if (!spec) throw new Error(`BENCH_PHASES: unknown phase "${key}" (${Object.keys(specs).join(', ')})`);
    return spec;
  });
}

/** Ctrl-C or SIGTERM tears the loop down (services, queues, processes) before exiting 130. */
export function tearDownOnSignal(stack: LoopStack, log: (message: string) => void): void {
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) return;
    interrupted = true;
    log('interrupted: tearing down');
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/** Runs the phases, prints the loop's diagnostics on a failure, and always tears the loop down. */
export async function runThenStop(stack: LoopStack, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    process.stderr.write(`${String(error)}\n${stack.diagnostics()}\n`);
    throw error;
  } finally {
    await stack.stop();
  }
}
