import type { LoopStack } from '../harness/loopStack';

/** A benchmark setting from the environment (documented in each benchmark's CONFIG). */
export const env = (name: string, fallback: string): string => process.env[name] ?? fallback;

export const num = (name: string, fallback: number): number => {
  const value = Number(env(name, String(fallback)));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

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
