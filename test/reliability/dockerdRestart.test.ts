/**
 * The literal fault: the real dockerd is stopped and started while notifications
 * arrive (in-process mode). alertscale stays up, /readyz and the webhook answer
 * 503 meanwhile (Alertmanager retries), and once Docker is back the retried
 * notification scales exactly once, with replicas and state labels consistent.
 */
import { histogram, reportResult } from './support/report';
import { startDockerd, stopDockerd } from './support/restartDockerd';
import { inspectService, uniqueName } from '../../harness/docker';
import { deliverLikeAlertmanager, post, uniqueNotification } from '../../harness/notifications';
import { createParkedService } from '../../harness/swarmServices';
import { useTestServices } from '../support/useTestServices';
import { useAlertscale } from '../support/useAlertscale';

jest.setTimeout(240_000);

const PREFIX = 'asrel-dockerd';
const TOKEN = 'dockerd-restart-token';
const services = useTestServices(PREFIX);
const created = services.names;
const alertscale = useAlertscale({ WEBHOOK_TOKEN: TOKEN, DOCKER_RETRY_DEADLINE: '1s' });

afterAll(async () => {
  // Whatever happened, leave the daemon and the Swarm as the next test expects them.
  await startDockerd();
});

describe('dockerd stopped and started', () => {
  test('when dockerd stops while notifications arrive, then alertscale answers 503 and stays up, and after the restart the retried notification scales once', async () => {
    const name = uniqueName(PREFIX);
    created.push(name);
    await createParkedService(name, { 'alertscale.enabled': 'true', 'alertscale.max': '5', 'alertscale.cooldown.up': '0s' }, 2);
    const url = alertscale().url;

    const stoppedAt = Date.now();
    await stopDockerd();
    const duringOutage = [await post(url, TOKEN, uniqueNotification(name)), await post(url, TOKEN, uniqueNotification(name))];
    const readyz = await fetch(`${url}/readyz`);
    const readyzBody = (await readyz.json()) as { reasons?: string[] };
    expect(duringOutage.map((delivery) => delivery.status)).toEqual([503, 503]);
    expect(readyz.status).toBe(503);
    expect(readyzBody.reasons?.join(' ')).toMatch(/docker/);

    // One notification delivered the way Alertmanager does: retried on 5xx until it lands.
    const retried = uniqueNotification(name);
    const delivery = deliverLikeAlertmanager(() => url, TOKEN, retried, { retryPauseMs: 500, deadlineMs: 150_000 });
    await startDockerd();
    const backAfterMs = Date.now() - stoppedAt;
    const { attempts, final } = await delivery;
    expect(final.status).toBe(202);
    expect(final.body?.decisions?.[0]).toMatchObject({ outcome: 'scaled', from: 2, to: 3 });

    const after = await inspectService(name);
    expect(after.replicas).toBe(3);
    expect(after.labels).toMatchObject({ 'alertscale.state.action': 'up', 'alertscale.state.from': '2' });
    expect(alertscale().child.exitCode).toBeNull();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    reportResult({
      fault: 'dockerd-stop-start-in-process',
      injected: 'the real dockerd stopped (SIGTERM) and started again, once',
      load: '2 notifications during the outage + 1 retried like Alertmanager until it landed',
      lost: 0,
      wronglyChanged: after.replicas - 3,
      figures: {
        outageAnswers: histogram(duringOutage.map((d) => d.status)),
        retriedAttempts: histogram(attempts.map((d) => d.status)),
        dockerBackAfterSeconds: (backAfterMs / 1000).toFixed(1),
        processAlive: true,
      },
    });
  });
});
