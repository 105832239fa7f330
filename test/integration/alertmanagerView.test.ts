/**
 * "Why didn't it scale?" when the answer is in Alertmanager: with ALERTMANAGER_URL,
 * GET /api/v1/services/:name shows the service's active, silenced and inhibited
 * scale alerts (real Alertmanager, a real silence, the shipped up-inhibits-down rule)
 * and when the last notification for the service arrived.
 */
import { startAlertscaleBehindAlertmanager } from '../../harness/startAlertmanager';
import { createTestService, removeTestServices, removeOrphanedServices } from '../../harness/swarmServices';
import { inspectService, uniqueName } from '../../harness/docker';
import { waitFor } from '../../harness/polling';

/** The shipped capacity-first rule: an up (or to) alert inhibits the service's down alerts. */
const UP_INHIBITS_DOWN = ['inhibit_rules:', '- source_matchers: [\'scale_action=~"up|to"\']', '  target_matchers: [\'scale_action="down"\']', '  equal: [scale_service]'];
const created: string[] = [];
let both: Awaited<ReturnType<typeof startAlertscaleBehindAlertmanager>> | undefined;
const alertmanagerUrl = () => both?.alertmanager.url ?? '';
const alertscaleUrl = () => both?.alertscale.url ?? '';

beforeAll(async () => {
  await removeOrphanedServices('asit-amview');
  both = await startAlertscaleBehindAlertmanager('alertmanager-view-token', { extraConfig: UP_INHIBITS_DOWN });
});

afterAll(async () => {
  await both?.stop();
  await removeTestServices(created);
});

async function silence(matchers: Record<string, string>, comment: string): Promise<string> {
  const now = Date.now();
  const response = await fetch(`${alertmanagerUrl()}/api/v2/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers: Object.entries(matchers).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 3600_000).toISOString(),
      createdBy: 'alertscale-test',
      comment,
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { silenceID: string }).silenceID;
}

interface AlertView {
  alertname: string;
  silencedBy: Array<{ id: string; comment?: string }>;
  inhibitedBy: string[];
}

describe('the service API with ALERTMANAGER_URL', () => {
  test('when one alert is active, one silenced and one inhibited, then the API shows each with why, and when the last notification arrived', async () => {
    const name = uniqueName('asit-amview');
    created.push(name);
    await createTestService(name, { labels: { 'alertscale.enabled': 'true', 'alertscale.max': '4', 'alertscale.cooldown.up': '0s' } });
    const silenceId = await silence({ scale_service: name, alertname: 'CpuHigh' }, 'load test, do not scale');
    const sentAt = new Date().toISOString();
    await both?.alertmanager.postAlerts([
      { labels: { alertname: 'LatencyHigh', scale_service: name, scale_action: 'up' } },
      { labels: { alertname: 'CpuHigh', scale_service: name, scale_action: 'up' } },
      { labels: { alertname: 'IdleCapacity', scale_service: name, scale_action: 'down' } },
    ]);
    await waitFor(`${name} to scale up`, async () => ((await inspectService(name)).replicas === 2 ? true : undefined));

    const response = await fetch(`${alertscaleUrl()}/api/v1/services/${name}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      lastNotificationAt?: string;
      alertmanager: { url: string; active: AlertView[]; silenced: AlertView[]; inhibited: AlertView[]; notes: string[] };
    };
    expect(body.alertmanager.url).toBe(alertmanagerUrl());
    expect(body.alertmanager.active.map((alert) => alert.alertname)).toEqual(['LatencyHigh']);
    expect(body.alertmanager.silenced).toEqual([
      expect.objectContaining({ alertname: 'CpuHigh', silencedBy: [expect.objectContaining({ id: silenceId, comment: 'load test, do not scale' })] }),
    ]);
    // Alertmanager names one inhibiting alert, either up alert (a silenced one inhibits too).
    expect(body.alertmanager.inhibited).toEqual([expect.objectContaining({ alertname: 'IdleCapacity', inhibitedBy: [expect.stringMatching(/^(LatencyHigh|CpuHigh)$/)] })]);
    expect(body.alertmanager.notes.join('\n')).toMatch(new RegExp(`silenced: CpuHigh \\(silence ${silenceId}`));
    expect(body.lastNotificationAt).toBeDefined();
    expect(Date.parse(body.lastNotificationAt ?? '')).toBeGreaterThanOrEqual(Date.parse(sentAt));
  });

  test('when the service has no alerts at all, then the Alertmanager view is empty and there is no notification time', async () => {
    const name = uniqueName('asit-amview');
    created.push(name);
    await createTestService(name, { labels: { 'alertscale.enabled': 'true' } });
    const body = (await (await fetch(`${alertscaleUrl()}/api/v1/services/${name}`)).json()) as Record<string, unknown>;
    expect(body.alertmanager).toMatchObject({ active: [], silenced: [], inhibited: [], notes: [] });
    expect(body).not.toHaveProperty('lastNotificationAt');
  });
});
