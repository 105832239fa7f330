/**
 * Memory and cardinality: a storm of notifications naming thousands of distinct
 * services that do not exist (some with both an up and a down alert, some with
 * names no service can have) must not grow metric series, the recent-decisions
 * list or the dedup cache without bound. Real process, real Docker.
 */
import { reportResult } from './support/report';
import { useAlertscale } from '../support/useAlertscale';
import { assertSwarmManager } from '../../harness/docker';
import { fixtureFor, post, firstAlert, type Notification } from '../../harness/notifications';

jest.setTimeout(120_000);

const TOKEN = 'reliability-cardinality-token';
const NOTIFICATIONS = 120;
const ALERTS_PER_NOTIFICATION = 50;
const alertscale = useAlertscale({ WEBHOOK_TOKEN: TOKEN, LOG_LEVEL: 'warn' });

beforeAll(async () => {
  await assertSwarmManager();
});

async function metricsText(): Promise<string> {
  return (await fetch(`${alertscale().url}/metrics`)).text();
}
function seriesOf(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}
function gauge(text: string, name: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

/** One notification with ALERTS_PER_NOTIFICATION alerts, each naming a service that does not exist. */
function storm(batch: number): Notification {
  const payload = fixtureFor('firing-one-alert', 'placeholder');
  const template = firstAlert(payload);
  const kind = batch % 3; // 0: up for new names, 1: up + down for the same new names (conflict), 2: names no service can have
  payload.alerts = Array.from({ length: ALERTS_PER_NOTIFICATION }, (_, index) => {
    const serial = batch * ALERTS_PER_NOTIFICATION + index;
    const name = kind === 2 ? `no/such service ${serial}?` : `asrel-ghost-${serial}`;
    const action = kind === 1 && index % 2 === 1 ? 'down' : 'up';
    const service = kind === 1 ? `asrel-ghost-${batch * ALERTS_PER_NOTIFICATION + index - (index % 2)}` : name;
    return { ...template, labels: { ...template.labels, scale_service: service, scale_action: action }, fingerprint: `${serial.toString(16)}`, startsAt: new Date().toISOString() };
  });
  payload.groupKey = `{}:{storm="${batch}"}`;
  return payload;
}

describe('a storm of notifications for services that do not exist', () => {
  test(`when ${NOTIFICATIONS * ALERTS_PER_NOTIFICATION} alerts name thousands of distinct non-existent services, then metric series, the recent-decisions list and memory stay bounded`, async () => {
    const before = await metricsText();
    const statuses: number[] = [];
    let next = 0;
    const sendUpTo = (end: number) =>
      Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < end) {
            const batch = next;
            next += 1;
            statuses.push((await post(alertscale().url, TOKEN, storm(batch))).status as number);
          }
        }),
      );
    await sendUpTo(NOTIFICATIONS / 2);
    const halfway = await metricsText();
    await sendUpTo(NOTIFICATIONS);
    const after = await metricsText();
    const decisionSeries = seriesOf(after, 'alertscale_decisions_total');
    const allAlertscaleSeries = after.split('\n').filter((line) => line.startsWith('alertscale_'));
    const ghostSeries = allAlertscaleSeries.filter((line) => line.includes('asrel-ghost') || line.includes('no/such'));
    const recent = ((await (await fetch(`${alertscale().url}/api/v1/decisions?limit=100000`)).json()) as { decisions: unknown[] }).decisions;
    const negative = ((await (await fetch(`${alertscale().url}/api/v1/decisions?limit=-5`)).json()) as { decisions: unknown[] }).decisions;
    const ghost = await fetch(`${alertscale().url}/api/v1/services/asrel-ghost-1`);
    const heapBeforeMb = gauge(before, 'nodejs_heap_size_used_bytes') / 1024 / 1024;
    const heapHalfwayMb = gauge(halfway, 'nodejs_heap_size_used_bytes') / 1024 / 1024;
    const heapAfterMb = gauge(after, 'nodejs_heap_size_used_bytes') / 1024 / 1024;
    reportResult({
      fault: 'cardinality-storm',
      injected: `${NOTIFICATIONS} notifications × ${ALERTS_PER_NOTIFICATION} alerts: ${Math.round((NOTIFICATIONS * ALERTS_PER_NOTIFICATION * 2) / 3)} distinct non-existent names (a third paired up+down), ${Math.round(NOTIFICATIONS / 3) * ALERTS_PER_NOTIFICATION} impossible names`,
      load: 'real process, real Docker answering 404, 4 concurrent senders',
      lost: 0,
      wronglyChanged: 0,
      figures: {
        answers: [...new Set(statuses)],
        decisionSeries: `${seriesOf(halfway, 'alertscale_decisions_total').length} halfway, ${decisionSeries.length} at the end`,
        seriesNamingGhosts: ghostSeries.length,
        recentDecisionsListed: recent.length,
        heapUsedMb: `${heapBeforeMb.toFixed(1)}→${heapHalfwayMb.toFixed(1)}→${heapAfterMb.toFixed(1)} (no forced GC)`,
      },
    });
    expect(statuses.every((status) => status === 202)).toBe(true);
    expect(ghostSeries).toEqual([]);
    expect(decisionSeries.length).toBeLessThanOrEqual(10);
    expect(decisionSeries.length).toBe(seriesOf(halfway, 'alertscale_decisions_total').length);
    expect(recent.length).toBeLessThanOrEqual(500);
    expect(negative.length).toBeLessThanOrEqual(1);
    expect(ghost.status).toBe(404); // the first ghost fell out of the bounded recent list
    const lastGhost = await fetch(`${alertscale().url}/api/v1/services/asrel-ghost-${NOTIFICATIONS * ALERTS_PER_NOTIFICATION - 50}`);
    expect([200, 404]).toContain(lastGhost.status);
    expect(heapAfterMb - heapBeforeMb).toBeLessThan(100);
  });
});
