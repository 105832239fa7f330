import { openAlertscaleDocker, type AlertscaleDocker } from '../../harness/alertscaleDocker';
import { inspectService } from '../../harness/docker';
import { waitFor } from '../../harness/polling';
import { startAlertscaleBehindAlertmanager, type RunningAlertmanager } from '../../harness/startAlertmanager';
import type { RunningAlertscale } from '../../harness/startAlertscale';
import { useTestServices } from '../support/useTestServices';

const PREFIX = 'asit-am';
const TOKEN = 'alertmanager-to-swarm-token';
const services = useTestServices(PREFIX);
let alertmanager: RunningAlertmanager | undefined;
let alertscale: RunningAlertscale | undefined;
let alertscaleDocker: AlertscaleDocker | undefined;
let stopBoth: (() => Promise<void>) | undefined;

beforeAll(async () => {
  alertscaleDocker = await openAlertscaleDocker();
  ({ alertmanager, alertscale, stop: stopBoth } = await startAlertscaleBehindAlertmanager(TOKEN, { env: alertscaleDocker.env }));
});

afterAll(async () => {
  await stopBoth?.();
  await alertscaleDocker?.close();
});

const replicasBecome = (name: string, replicas: number) =>
  waitFor(`${name} to have ${replicas} replicas`, async () => ((await inspectService(name)).replicas === replicas ? true : undefined), 20_000);

async function recentOutcomes(name: string): Promise<string[]> {
  const response = await fetch(`${alertscale?.url}/api/v1/services/${name}`);
  if (!response.ok) return [];
  return ((await response.json()) as { recentDecisions: Array<{ outcome: string }> }).recentDecisions.map((decision) => decision.outcome);
}

describe('a real Alertmanager posting to alertscale', () => {
  test('when up, to and down alerts fire, then the service scales within bounds, and a down waits while an up is active', async () => {
    const name = await services.create({ labels: { 'alertscale.enabled': 'true', 'alertscale.max': '4', 'alertscale.cooldown.up': '0s', 'alertscale.cooldown.down': '0s' } });
    const am = alertmanager as RunningAlertmanager;

    const upAlert = { labels: { alertname: 'LatencyHigh', scale_service: name, scale_action: 'up' } };
    await am.postAlerts([upAlert]);
    await replicasBecome(name, 2);

    await am.postAlerts([{ labels: { alertname: 'QueueDesired', scale_service: name, scale_action: 'to' }, annotations: { scale_replicas: '3.2' } }]);
    await replicasBecome(name, 4);

    // The up alert is still active in Alertmanager: the scale-down guard holds the down back.
    await am.postAlerts([{ labels: { alertname: 'IdleCapacity', scale_service: name, scale_action: 'down' } }]);
    await waitFor('the down to be blocked', async () => ((await recentOutcomes(name)).includes('blocked') ? true : undefined));
    expect((await inspectService(name)).replicas).toBe(4);

    // Once the up alert resolves, a new down scales down; the `to` target is resolved as well so it no longer holds.
    const now = new Date().toISOString();
    await am.postAlerts([
      { ...upAlert, endsAt: now },
      { labels: { alertname: 'QueueDesired', scale_service: name, scale_action: 'to' }, annotations: { scale_replicas: '3.2' }, endsAt: now },
      { labels: { alertname: 'IdleCapacityLong', scale_service: name, scale_action: 'down' } },
    ]);
    await replicasBecome(name, 3);
    expect(await recentOutcomes(name)).toContain('scaled');
  });
});
