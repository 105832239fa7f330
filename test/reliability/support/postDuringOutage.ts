import { post, uniqueNotification, type Delivery } from '../../../harness/notifications';
import { waitFor } from '../../../harness/polling';
import type { RunningAlertscale } from '../../../harness/startAlertscale';

/**
 * Posts `count` fresh notifications for `service` while alertscale's path to
 * Docker is cut: each must get Alertmanager's transient 503 (so it is retried),
 * and the process must stay up and live. Returns the answers for the report.
 */
export async function postDuringOutage(alertscale: RunningAlertscale, token: string, service: string, count: number): Promise<Delivery[]> {
  const answers = await Promise.all(Array.from({ length: count }, () => post(alertscale.url, token, uniqueNotification(service))));
  for (const answer of answers) expect(answer).toMatchObject({ status: 503, body: { error: 'unavailable' } });
  expect((await fetch(`${alertscale.url}/healthz`)).status).toBe(200);
  expect(alertscale.child.exitCode).toBeNull();
  return answers;
}

/** Waits for /readyz to answer 200 again once the path to Docker is back. */
export async function waitUntilReady(alertscale: RunningAlertscale, timeoutMs: number): Promise<void> {
  await waitFor('/readyz to be 200 again', async () => ((await fetch(`${alertscale.url}/readyz`)).status === 200 ? true : undefined), timeoutMs, 100);
}
