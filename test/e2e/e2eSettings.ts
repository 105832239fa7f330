import { LoopStack, type LoopStackOptions } from '../../harness/loopStack';

/**
 * Timings of the e2e loop, all on loopback. The rule LOGIC is the shipped one;
 * only durations are shortened in the test copy (shipped: up/to `for: 1m`,
 * `keep_firing_for: 1m`; down `for: 15m`, `keep_firing_for: 10m`; the HTTP
 * scale-down's 5 min stabilization window), and the
 * Alertmanager autoscale route is the shipped one with group_wait 1s,
 * group_interval 2s, repeat_interval 6s (shipped 5s / 1m / 3m). DEDUP_WINDOW
 * stays below repeat_interval, as docs/monitoring.md requires.
 */
export const E2E_LOOP: Omit<LoopStackOptions, 'queues'> = {
  rules: {
    durations: {
      up: { for: '2s', keepFiringFor: '2s' },
      to: { for: '2s', keepFiringFor: '2s' },
      down: { for: '5s', keepFiringFor: '2s' },
    },
    // The HTTP scale-down's 5 min stabilization window, 20s here.
    stabilization: { 'service:http_desired_replicas:stable5m': '20s', ServiceRequestRateLow: '20s' },
  },
  route: { groupWait: '1s', groupInterval: '2s', repeatInterval: '6s' },
  scrapeInterval: '1s',
  evaluationInterval: '1s',
  resendDelay: '2s',
  alertscaleEnv: { DEDUP_WINDOW: '3s' },
};

export const MIN = 1;
export const MAX = 4;
const COOLDOWN_UP_S = 2;
export const COOLDOWN_DOWN_S = 5;

/** The worker's policy labels in the e2e tests (seconds-long cooldowns). */
export function workerPolicy(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'alertscale.enabled': 'true',
    'alertscale.min': String(MIN),
    'alertscale.max': String(MAX),
    'alertscale.step.up': '1',
    'alertscale.step.down': '2',
    'alertscale.cooldown.up': `${COOLDOWN_UP_S}s`,
    'alertscale.cooldown.down': `${COOLDOWN_DOWN_S}s`,
    ...overrides,
  };
}

/**
 * Starts the loop (E2E_LOOP with `options` on top) before the file's tests and
 * stops it after them; the returned getter throws when it did not start.
 */
export function useLoopStack(options: Partial<LoopStackOptions> & Pick<LoopStackOptions, 'queues'>): () => LoopStack {
  let stack: LoopStack | undefined;
  beforeAll(async () => {
    stack = await LoopStack.start({ ...E2E_LOOP, ...options });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  }, 90_000);
  return () => {
    if (!stack) throw new Error('the loop stack did not start (see beforeAll)');
    return stack;
  };
}
