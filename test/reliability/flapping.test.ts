/**
 * A flapping signal: for each service the alerts alternate between up and down
 * every 1–2 s for 30 s (each flip is a new firing, the previous direction's alert
 * is sent resolved, and some notifications are re-sent identically as
 * Alertmanager's retries and HA peers do). Cooldowns are seconds, not minutes,
 * to keep the suite fast. Real process, real Swarm.
 */
import { histogram, reportResult, seededRandom } from './support/report';
import { inspectService, uniqueName } from '../../harness/docker';
import { sleep } from '../../harness/polling';
import { recentDecisions } from '../../harness/startAlertscale';
import { post, resolvedOf, uniqueNotification, type Notification } from '../../harness/notifications';
import { createParkedService } from '../../harness/swarmServices';
import { useTestServices } from '../support/useTestServices';
import { useAlertscale } from '../support/useAlertscale';

jest.setTimeout(120_000);

const PREFIX = 'asrel-flap';
const TOKEN = 'reliability-flapping-token';
/** Six of the longest cooldown (5 s) and about 20 flips: each cooldown is met again and again, by ups and by downs. */
const FLAP_MS = 30_000;
const services = useTestServices(PREFIX);
const created = services.names;
const alertscale = useAlertscale({ WEBHOOK_TOKEN: TOKEN });

interface FlapService {
  name: string;
  min: number;
  max: number;
  cooldownUpMs: number;
  cooldownDownMs: number;
  labels: Record<string, string>;
}

function flapService(min: number, max: number, cooldownUpS: number, cooldownDownS: number, extra: Record<string, string> = {}): FlapService {
  const name = uniqueName(PREFIX);
  created.push(name);
  return {
    name,
    min,
    max,
    cooldownUpMs: cooldownUpS * 1000,
    cooldownDownMs: cooldownDownS * 1000,
    labels: {
      'alertscale.enabled': 'true',
      'alertscale.min': String(min),
      'alertscale.max': String(max),
      'alertscale.cooldown.up': `${cooldownUpS}s`,
      'alertscale.cooldown.down': `${cooldownDownS}s`,
      ...extra,
    },
  };
}

describe('a flapping signal', () => {
  test('when alerts for a service alternate up and down every 1–2 s for 30 s, then replica changes never outrun the cooldowns and replicas stay within bounds', async () => {
    const services = [flapService(1, 4, 3, 5), flapService(2, 6, 4, 4, { 'alertscale.step.up': '2' })];
    await Promise.all(services.map((service) => createParkedService(service.name, service.labels, service.min)));
    const createdAt = Date.now();

    // Watch replicas all along, independently of alertscale's own account.
    const observed = new Map(services.map((service) => [service.name, { low: Infinity, high: -Infinity, samples: 0 }]));
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const service of services) {
          const replicas = (await inspectService(service.name)).replicas;
          const seen = observed.get(service.name)!;
          seen.low = Math.min(seen.low, replicas);
          seen.high = Math.max(seen.high, replicas);
          seen.samples += 1;
        }
        await sleep(200);
      }
    })();

    const random = seededRandom(1128);
    const statuses: number[] = [];
    const previous = new Map<string, Notification>();
    let direction: 'up' | 'down' = 'up';
    let flips = 0;
    let resends = 0;
    const end = Date.now() + FLAP_MS;
    while (Date.now() < end) {
      await Promise.all(
        services.map(async (service) => {
          const firing = uniqueNotification(service.name, direction);
          const answer = await post(alertscale().url, TOKEN, firing);
          statuses.push(answer.status as number);
          const before = previous.get(service.name);
          if (before) {
            const resolved = await post(alertscale().url, TOKEN, resolvedOf(before));
            statuses.push(resolved.status as number);
            expect(resolved.body).toMatchObject({ accepted: 0 });
          }
          if (random() < 0.25) {
            resends += 1;
            statuses.push((await post(alertscale().url, TOKEN, firing)).status as number);
          }
          previous.set(service.name, firing);
        }),
      );
      flips += 1;
      direction = direction === 'up' ? 'down' : 'up';
      await sleep(1000 + random() * 1000);
    }
    const windowMs = Date.now() - createdAt;
    watching = false;
    await watcher;

    const decisions = await recentDecisions(alertscale().url);
    const rows = services.map((service) => {
      const mine = decisions.filter((decision) => decision.service === service.name).reverse();
      const changes = mine.filter((decision) => decision.outcome === 'scaled');
      // Capacity first: an up waits cooldown.up after alertscale's previous up only; a down waits
      // cooldown.down after any change (ours, or the service's creation). So downs are at most one per
      // cooldown.down, ups at most one per cooldown.up (plus the first one).
      const bound = Math.floor(windowMs / service.cooldownDownMs) + Math.floor(windowMs / service.cooldownUpMs) + 1;
      const gapViolations: string[] = [];
      let lastAt = createdAt - 1000; // creation happened just before createdAt was read
      let lastUpAt: number | undefined;
      for (const change of changes) {
        const at = Date.parse(change.decidedAt);
        if (change.direction === 'up') {
          if (lastUpAt !== undefined && at - lastUpAt < service.cooldownUpMs) gapViolations.push(`up ${at - lastUpAt} ms after the previous up (needs ${service.cooldownUpMs})`);
          lastUpAt = at;
        } else if (at - lastAt < service.cooldownDownMs) {
          gapViolations.push(`down ${at - lastAt} ms after the previous change (needs ${service.cooldownDownMs})`);
        }
        lastAt = at;
      }
      const seen = observed.get(service.name)!;
      return {
        service,
        changes: changes.length,
        bound,
        gapViolations,
        outOfBounds: seen.low < service.min || seen.high > service.max,
        seen,
        outcomes: histogram(mine.map((decision) => decision.outcome)),
      };
    });
    for (const row of rows) {
      reportResult({
        fault: `flapping-${row.service.min}-${row.service.max}-cd${row.service.cooldownUpMs / 1000}s/${row.service.cooldownDownMs / 1000}s`,
        injected: `${flips} up/down flips every 1–2 s for ${Math.round(windowMs / 1000)} s, previous alert resolved each time, ${resends} identical re-sends (both services)`,
        load: `min ${row.service.min} max ${row.service.max}, cooldown up ${row.service.cooldownUpMs / 1000}s down ${row.service.cooldownDownMs / 1000}s`,
        lost: 0,
        wronglyChanged: Math.max(0, row.changes - row.bound) + row.gapViolations.length + (row.outOfBounds ? 1 : 0),
        figures: {
          replicaChanges: row.changes,
          cooldownBound: row.bound,
          replicasSeen: `${row.seen.low}..${row.seen.high} (${row.seen.samples} samples)`,
          outcomes: row.outcomes,
          answers: histogram(statuses),
        },
      });
    }
    expect(statuses.every((status) => status === 202)).toBe(true);
    for (const row of rows) {
      expect(row.gapViolations).toEqual([]);
      expect(row.changes).toBeLessThanOrEqual(row.bound);
      expect(row.changes).toBeGreaterThan(0);
      expect(row.outOfBounds).toBe(false);
    }
  });
});
