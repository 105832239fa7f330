/**
 * The simulated work of one job. `sleep` waits without using CPU (jobs of one
 * worker overlap up to the prefetch); `cpu` spins, so the work shows up in
 * container CPU metrics (cAdvisor) and one worker does one job at a time.
 */
export function simulateWork(mode: 'sleep' | 'cpu', ms: number): Promise<void> {
  if (mode === 'cpu') {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      // busy on purpose
    }
    return Promise.resolve();
  }
  return new Promise((resolve) => setTimeout(resolve, ms));
}
