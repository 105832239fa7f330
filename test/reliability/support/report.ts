import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where every reliability test appends its one-line result; docs/reliability.md is copied from it by hand. */
const RESULTS_DIR = process.env.RELIABILITY_RESULTS_DIR ?? '/tmp/alertscale-reliability';
const RESULTS_FILE = join(RESULTS_DIR, 'results.jsonl');

export interface ReliabilityResult {
  /** Short name of the fault, e.g. "docker-refuse-in-process". */
  fault: string;
  /** What was injected, how often. */
  injected: string;
  /** What was sent or done meanwhile. */
  load: string;
  /** Notifications acknowledged (2xx) but never applied. */
  lost: number;
  /** Replica changes beyond what was asked (applied twice, or applied when it must not be). */
  wronglyChanged: number;
  /** Anything else worth a column: counts, timings. */
  figures: Record<string, unknown>;
}

/** Prints one summary line and appends it to RESULTS_FILE. */
export function reportResult(result: ReliabilityResult): void {
  const line = { at: new Date().toISOString(), ...result };
  mkdirSync(RESULTS_DIR, { recursive: true });
  appendFileSync(RESULTS_FILE, `${JSON.stringify(line)}\n`);
  const figures = Object.entries(result.figures)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(' ');
  console.log(`[reliability] ${result.fault}: injected ${result.injected}; load ${result.load}; lost=${result.lost} wronglyChanged=${result.wronglyChanged} ${figures}`);
}

/** Lost and wrongly changed replicas of one service that should have ended at `expected`. */
export function compareReplicas(expected: number, actual: number): Pick<ReliabilityResult, 'lost' | 'wronglyChanged'> {
  return { lost: Math.max(0, expected - actual), wronglyChanged: Math.max(0, actual - expected) };
}

/** Counts occurrences of each value. */
export function histogram(values: Array<string | number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}

/** A small seeded PRNG (mulberry32), so chaos schedules repeat run to run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
