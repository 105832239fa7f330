import { MAX, MIN, useLoopStack, workerPolicy } from './e2eSettings';
import { describeError } from '../../harness/describeError';
import { sleep, waitFor } from '../../harness/polling';

jest.setTimeout(120_000);

/**
 * Pausing autoscaling the documented way: a silence in Alertmanager on the
 * service's scale_service label, made through Alertmanager's API v2. The test
 * ends the silence with DELETE /api/v2/silence/{id}, which expires it at once
 * (waiting for endsAt would only add time; Alertmanager treats both the same).
 */
describe('an Alertmanager silence on the scaled service', () => {
  const stack = useLoopStack({ queues: [{ key: 'silenced', messagesPerReplica: 10, maxReplicas: MAX }] });

  it('when the service is silenced through the API v2, then its firing scale alert is suppressed and nothing scales; when the silence is deleted (expired), then scaling resumes', async () => {
    const loop = stack();
    const { service } = loop.queue('silenced');
    try {
      // Silenced before any alert about the service can exist.
      const silenceId = await loop.alertmanager.silence('scale_service', service, 10 * 60_000, 'e2e: no autoscaling');
      expect((await loop.alertmanager.getSilence(silenceId)).status.state).toBe('active');
      await loop.startWorker('silenced', { replicas: MIN, labels: workerPolicy(), serviceTimeMs: 200 });
      const sampler = loop.sampleReplicas(service, 250);

      // 200 jobs at 5 jobs/s: a backlog for ~40s with one replica.
      await loop.burst('silenced', 200);
      const suppressed = await waitFor(
        'QueueDesiredReplicas to reach Alertmanager, silenced',
        async () => (await loop.alertmanager.alerts({ alertname: 'QueueDesiredReplicas', scale_service: service })).find((a) => a.status.state === 'suppressed'),
        45_000,
        500,
      );
      expect(suppressed.status.silencedBy).toEqual([silenceId]);
      expect(suppressed.labels.scale_action).toBe('to');

      // Longer than group_wait + group_interval + repeat_interval (1s + 2s + 6s): unsilenced, it would have been sent.
      await sleep(10_000);
      expect((await loop.alertmanager.alerts({ alertname: 'QueueDesiredReplicas', scale_service: service }))[0]?.status.state).toBe('suppressed');
      expect(await loop.decisions(service)).toEqual([]);
      expect(sampler.samples.every((s) => s.replicas === MIN)).toBe(true);

      const expiredAt = Date.now();
      await loop.alertmanager.expireSilence(silenceId);
      expect((await loop.alertmanager.getSilence(silenceId)).status.state).toBe('expired');

      const scaled = await waitFor('the first scale-up after the silence', async () => (await loop.decisions(service)).find((d) => d.outcome === 'scaled'), 30_000, 250);
      expect(scaled).toMatchObject({ action: 'to', from: MIN, to: MAX });
      expect(Date.parse(scaled.decidedAt)).toBeGreaterThan(expiredAt);
      // No decision at all about the service before the silence ended.
      expect((await loop.decisions(service)).every((d) => Date.parse(d.decidedAt) > expiredAt)).toBe(true);
      await waitFor(`${service} to ask for ${MAX} replicas`, async () => sampler.samples.at(-1)?.replicas === MAX, 10_000);
      const samples = await sampler.stop();
      expect(samples.filter((s) => s.at < expiredAt).every((s) => s.replicas === MIN)).toBe(true);
    } catch (error) {
      throw new Error(`${describeError(error)}\n${loop.diagnostics()}`, { cause: error });
    }
  });
});
