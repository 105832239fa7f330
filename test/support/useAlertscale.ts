import { startAlertscale, type RunningAlertscale } from '../../harness/startAlertscale';

/**
 * One alertscale process (the built dist/src/main.js) for a test file: started
 * with `env` before its tests, stopped after them. The returned getter throws
 * when it did not start.
 */
export function useAlertscale(env: Record<string, string>): () => RunningAlertscale {
  let running: RunningAlertscale | undefined;
  beforeAll(async () => {
    running = await startAlertscale(env);
  });
  afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (!running) throw new Error('alertscale did not start (see beforeAll)');
    return running;
  };
}
