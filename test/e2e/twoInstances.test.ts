import { scrapeMetric } from '../support/scrapeMetrics';
import { MAX, MIN, useLoopStack, workerPolicy } from './e2eSettings';
import { describeError } from '../../harness/describeError';
import { sleep, waitFor } from '../../harness/polling';

jest.setTimeout(120_000);

/**
 * Two alertscale instances behind one Alertmanager: the shipped receiver with
 * two webhook_configs (one URL each), so every notification reaches both.
 */
describe('two alertscale instances behind the same Alertmanager', () => {
  const stack = useLoopStack({ alertscaleInstances: 2, queues: [{ key: 'ha', readyUpMessages: 20, maxReplicas: MAX }] });

  it('when the step alert fires repeatedly and every notification reaches both instances, then each step changes the service once: exactly one scaled per notification, the other duplicate', async () => {
    const loop = stack();
    const { service } = loop.queue('ha');
    try {
      await loop.startWorker('ha', { replicas: MIN, labels: workerPolicy(), serviceTimeMs: 400 });
      const sampler = loop.sampleReplicas(service, 200);

      // 200 jobs at 2.5 jobs/s per replica: above 20 ready for several repeats.
      await loop.burst('ha', 200);
      await waitFor(`${service} at max (${MAX})`, async () => sampler.samples.at(-1)?.replicas === MAX, 90_000, 250);
      // Both instances have decided every notification that reached them (answers come back within ms).
      await sleep(1_000);
      const samples = await sampler.stop();

      const decisions = (await loop.allDecisions(service)).filter((d) => d.action === 'up');
      // One notification = one delivery to each instance. Repeats of a firing alert carry the same
      // idempotency key (it is a duplicate only within DEDUP_WINDOW), so group by key AND time.
      const notifications: Array<typeof decisions> = [];
      for (const d of decisions) {
        const last = notifications.at(-1);
        const first = last?.[0];
        if (first && first.key === d.key && Date.parse(d.decidedAt) - Date.parse(first.decidedAt) < 1_500) last.push(d);
        else notifications.push([d]);
      }
      const steps = notifications.filter((group) => group.some((d) => d.outcome === 'scaled'));
      expect(steps).toHaveLength(MAX - MIN);
      for (const group of steps) {
        expect(group.map((d) => d.instance).sort()).toEqual([0, 1]);
        expect(group.map((d) => d.outcome).sort()).toEqual(['duplicate', 'scaled']);
      }
      // The service itself: one change per step, as its alertscale.state.* labels and replicas went.
      const stateChanges = [...new Set(samples.map((s) => s.stateAt).filter(Boolean))];
      expect(stateChanges).toHaveLength(MAX - MIN);
      const levels = samples.map((s) => s.replicas).filter((r, i, all) => i === 0 || r !== all[i - 1]);
      expect(levels).toEqual([1, 2, 3, 4]);
      const events = await Promise.all(
        loop.alertscale.map(async (instance) => (await scrapeMetric(Number(new URL(instance.url).port), 'alertscale_scale_events_total', { service, direction: 'up' })) ?? 0),
      );
      expect(events.reduce((sum, n) => sum + n, 0)).toBe(MAX - MIN);
    } catch (error) {
      throw new Error(`${describeError(error)}\n${loop.diagnostics()}`, { cause: error });
    }
  });
});
