/**
 * Issue 10, item 3: alertscale applied a change, then died before answering; it
 * is restarted and Alertmanager's retry of the same notification arrives 36 s
 * after the change (Alertmanager 0.25 retries for up to group_interval, and an HA peer re-sends later; the
 * shipped route). With the default DEDUP_WINDOW the retry must be a duplicate.
 */
import { startAlertscale, type RunningAlertscale } from '../../harness/startAlertscale';
import { uniqueNotification } from '../../harness/notifications';
import { createParkedService, removeOrphanedServices, removeTestServices } from '../../harness/swarmServices';
import { reportResult } from './support/report';
import { assertSwarmManager, inspectService, uniqueName } from '../../harness/docker';
import { sleep } from '../../harness/polling';

jest.setTimeout(120_000);

const PREFIX = 'asrel-retry';
const TOKEN = 'reliability-retry-token';
const RESTART_GAP_MS = 36_000;
const created: string[] = [];
const running: RunningAlertscale[] = [];

beforeAll(async () => {
  await assertSwarmManager();
  await removeOrphanedServices(PREFIX);
});
afterAll(async () => {
  for (const instance of running) if (instance.child.exitCode === null && instance.child.signalCode === null) await instance.stop();
  await removeTestServices(created);
});

const deliver = async (url: string, payload: unknown) => {
  const response = await fetch(`${url}/webhook`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as { decisions: Array<{ outcome: string }> } };
};

describe('a retry after a restart, inside group_interval', () => {
  test('when the instance that applied a change is killed and the same notification reaches a restarted one 36 s later, then it is a duplicate (default DEDUP_WINDOW)', async () => {
    const service = uniqueName(PREFIX);
    created.push(service);
    await createParkedService(service, { 'alertscale.enabled': 'true', 'alertscale.max': '10', 'alertscale.cooldown.up': '0s' });
    const payload = uniqueNotification(service);

    const first = await startAlertscale({ WEBHOOK_TOKEN: TOKEN });
    running.push(first);
    expect((await deliver(first.url, payload)).body.decisions).toEqual([expect.objectContaining({ outcome: 'scaled' })]);
    // Its answer is lost with it: Alertmanager retries the same body.
    first.child.kill('SIGKILL');
    await sleep(RESTART_GAP_MS);

    const restarted = await startAlertscale({ WEBHOOK_TOKEN: TOKEN });
    running.push(restarted);
    const retry = await deliver(restarted.url, payload);
    const after = await inspectService(service);
    reportResult({
      fault: 'retry-after-restart-inside-group-interval',
      injected: `SIGKILL after Docker applied the change, restart, retry ${RESTART_GAP_MS / 1000} s after the change`,
      load: '1 notification, retried once with the identical body',
      lost: 0,
      wronglyChanged: after.replicas - 2,
      figures: { retryOutcome: retry.body.decisions[0]?.outcome, replicas: after.replicas },
    });
    expect(retry).toEqual({ status: 202, body: expect.objectContaining({ decisions: [expect.objectContaining({ outcome: 'duplicate' })] }) });
    expect(after.replicas).toBe(2);
  });
});
