import { COOLDOWN_DOWN_S, MAX, MIN, useLoopStack, workerPolicy } from './e2eSettings';
import { describeError } from '../../harness/describeError';
import type { Decision } from '../../src/domain/types';
import { waitFor } from '../../harness/polling';
import { readJobLog, type WorkerService } from '../../harness/workerService';

jest.setTimeout(150_000);

/**
 * The whole loop on this machine: a producer burst fills a RabbitMQ queue,
 * Prometheus evaluates the repository's rules (durations shortened), the
 * repository's Alertmanager route posts to alertscale, alertscale scales the
 * demo worker running as a real Swarm service, the backlog drains, and the
 * idle rule brings the worker back to its minimum.
 */
describe('backlog scaling through Prometheus, Alertmanager and alertscale', () => {
  const stack = useLoopStack({
    queues: [
      { key: 'to', messagesPerReplica: 10, maxReplicas: MAX },
      { key: 'step', readyUpMessages: 20, maxReplicas: MAX },
    ],
  });

  /** Runs `scenario`, adding the processes' output to a failure. */
  const explained = async (scenario: () => Promise<void>): Promise<void> => {
    try {
      await scenario();
    } catch (error) {
      throw new Error(`${describeError(error)}\n${stack().diagnostics()}`, { cause: error });
    }
  };

  const scaledDecisions = (decisions: Decision[]): Decision[] => decisions.filter((d) => d.outcome === 'scaled');

  /** Drives one burst through the loop and checks bounds, drain and the way back to min. */
  async function burstCycle(key: 'to' | 'step', jobs: number, serviceTimeMs: number): Promise<{ decisions: Decision[]; peak: number }> {
    const loop = stack();
    const { service, queue } = loop.queue(key);
    const worker: WorkerService = await loop.startWorker(key, { replicas: MIN, labels: workerPolicy(), serviceTimeMs });
    const sampler = loop.sampleReplicas(service, 250);

    await loop.burst(key, jobs);
    await waitFor(`${service} to be scaled up`, async () => (await loop.decisions(service)).some((d) => d.outcome === 'scaled' && d.direction === 'up'), 60_000, 500);
    await waitFor(`the ${jobs} jobs to be done`, async () => readJobLog(worker.jobLogFile).length >= jobs && (await loop.probe.counts(queue)).ready === 0, 90_000, 500);
    await waitFor(`${service} back at its minimum`, () => loop.isBackAtMinimum(service, sampler, MIN), 90_000, 500);

    const samples = await sampler.stop();
    const replicas = samples.map((s) => s.replicas);
    expect(Math.min(...replicas)).toBeGreaterThanOrEqual(MIN);
    expect(Math.max(...replicas)).toBeLessThanOrEqual(MAX);
    expect(new Set(readJobLog(worker.jobLogFile).map((line) => line.seq)).size).toBe(jobs);
    return { decisions: await loop.decisions(service), peak: Math.max(...replicas) };
  }

  /** Every scale-down came at least cooldown.down after the change before it. */
  function expectDownsAfterCooldown(decisions: Decision[]): void {
    const scaled = scaledDecisions(decisions);
    for (let i = 1; i < scaled.length; i++) {
      const decision = scaled[i] as Decision;
      if (decision.direction !== 'down') continue;
      const gap = Date.parse(decision.decidedAt) - Date.parse((scaled[i - 1] as Decision).decidedAt);
      expect(gap).toBeGreaterThanOrEqual(COOLDOWN_DOWN_S * 1000);
    }
  }

  it('when a burst builds a backlog on a queue with a per-replica target, then QueueDesiredReplicas scales the worker straight to the proportional count clamped to max, the backlog drains, and after the down cooldown QueueIdle brings it back to min, never outside [min, max]', () =>
    explained(async () => {
      // 100 jobs at 10 per replica ask for 10 replicas: clamped to max (4). One replica does 5 jobs/s.
      const { decisions, peak } = await burstCycle('to', 100, 200);
      const scaled = scaledDecisions(decisions);
      const up = scaled.filter((d) => d.direction === 'up');
      expect(up[0]).toMatchObject({ action: 'to', from: MIN, to: MAX });
      expect(up.every((d) => d.action === 'to')).toBe(true);
      expect(peak).toBe(MAX);
      const downs = scaled.filter((d) => d.direction === 'down');
      expect(downs.map((d) => [d.action, d.from, d.to])).toEqual([
        ['down', 4, 2],
        ['down', 2, 1],
      ]);
      expectDownsAfterCooldown(decisions);
    }));

  it('when a burst builds a backlog on a queue without a per-replica target, then QueueBacklogHigh steps the worker up one replica per notification, the backlog drains, and after the down cooldown it steps back to min, never outside [min, max]', () =>
    explained(async () => {
      // 150 jobs at 2.5 jobs/s per replica: the backlog stays above 20 ready for several repeats.
      const { decisions, peak } = await burstCycle('step', 150, 400);
      const ups = scaledDecisions(decisions).filter((d) => d.direction === 'up');
      expect(ups.length).toBeGreaterThanOrEqual(2);
      for (const decision of ups) {
        expect(decision.action).toBe('up');
        expect((decision.to ?? 0) - (decision.from ?? 0)).toBe(1);
      }
      expect(peak).toBeGreaterThanOrEqual(MIN + 2);
      expectDownsAfterCooldown(decisions);
    }));
});
