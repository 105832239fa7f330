/**
 * The whole receiver with AMQP_URL, as a real process: webhook → durable intent on
 * RabbitMQ → consumer decides → Swarm. Then the broker's application is stopped
 * under it and started again.
 */
import { inspectService } from '../../../harness/docker';
import { waitFor } from '../../../harness/polling';
import { AMQP_URL, rabbitmqctl } from '../../../harness/rabbit';
import { fixtureFor, refired } from '../../../harness/notifications';
import { useTestServices } from '../../support/useTestServices';
import { useAlertscale } from '../../support/useAlertscale';

jest.setTimeout(120_000);

const PREFIX = 'asit-amqp';
const TOKEN = 'webhook-over-broker-token';
const services = useTestServices(PREFIX);
const alertscale = useAlertscale({ WEBHOOK_TOKEN: TOKEN, AMQP_URL, INTENT_TTL: '60s' });

beforeAll(async () => {
  await waitFor('alertscale to be ready on the broker', async () => ((await fetch(`${alertscale().url}/readyz`)).ok ? true : undefined), 30_000);
});

afterAll(async () => {
  await rabbitmqctl('start_app').catch(() => undefined);
});

async function notify(service: string): Promise<Response> {
  const payload = refired(fixtureFor('firing-one-alert', service));
  return fetch(`${alertscale().url}/webhook`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(payload),
  });
}

const replicasBecome = (name: string, replicas: number) =>
  waitFor(`${name} to have ${replicas} replicas`, async () => ((await inspectService(name)).replicas === replicas ? true : undefined), 30_000);

describe('alertscale with AMQP_URL', () => {
  test('when a notification arrives, then 202 after the broker stored it, and the consumer scales the service', async () => {
    const name = await services.create({ labels: { 'alertscale.enabled': 'true', 'alertscale.max': '5', 'alertscale.cooldown.up': '0s' } });
    const response = await notify(name);
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ accepted: 1 });
    await replicasBecome(name, 2);
  });

  test('when the broker stops, then the webhook answers 503 and /readyz says why; when it is back, then alertscale recovers by itself', async () => {
    const name = await services.create({ labels: { 'alertscale.enabled': 'true', 'alertscale.max': '5', 'alertscale.cooldown.up': '0s' } });
    await rabbitmqctl('stop_app');
    try {
      await waitFor('/readyz to report the broker', async () => ((await fetch(`${alertscale().url}/readyz`)).status === 503 ? true : undefined), 30_000);
      const readyz = (await (await fetch(`${alertscale().url}/readyz`)).json()) as { reasons: string[] };
      expect(readyz.reasons.join(' ')).toMatch(/intent queue/);
      expect((await notify(name)).status).toBe(503);
      expect((await inspectService(name)).replicas).toBe(1);
    } finally {
      await rabbitmqctl('start_app');
    }
    await waitFor('alertscale to reconnect', async () => ((await fetch(`${alertscale().url}/readyz`)).ok ? true : undefined), 60_000);
    expect((await notify(name)).status).toBe(202);
    await replicasBecome(name, 2);
    expect(alertscale().child.exitCode).toBeNull();
  });
});
