import { E2E_LOOP, MAX, MIN, useLoopStack, workerPolicy } from './e2eSettings';
import { describeError } from '../../harness/describeError';
import { inspectService } from '../../harness/docker';
import { sleep, waitFor } from '../../harness/polling';

jest.setTimeout(120_000);

describe('alertscale with DRY_RUN=true in the loop', () => {
  const stack = useLoopStack({
    alertscaleEnv: { ...E2E_LOOP.alertscaleEnv, DRY_RUN: 'true' },
    queues: [{ key: 'dry', messagesPerReplica: 10, maxReplicas: MAX }],
  });

  it('when the backlog alert fires at a dry-run alertscale, then /api/v1/decisions records dry_run with the change it would make, and the replicas and labels of the service stay unchanged', async () => {
    const loop = stack();
    const { service } = loop.queue('dry');
    try {
      await loop.startWorker('dry', { replicas: MIN, labels: workerPolicy(), serviceTimeMs: 200 });
      const before = await inspectService(service);
      const sampler = loop.sampleReplicas(service, 250);

      await loop.burst('dry', 120);
      const dryRun = await waitFor('a dry_run decision', async () => (await loop.decisions(service)).find((d) => d.outcome === 'dry_run' && d.action === 'to'), 45_000, 250);
      expect(dryRun).toMatchObject({ from: MIN, to: MAX });
      expect(dryRun.reason).toMatch(/dry/i);
      // One more repeat_interval (6s): the repeat is decided (and again not applied).
      await sleep(8_000);

      const samples = await sampler.stop();
      expect(samples.length).toBeGreaterThan(20);
      expect(samples.every((s) => s.replicas === MIN)).toBe(true);
      const after = await inspectService(service);
      expect(after.labels).toEqual(before.labels);
      expect(Object.keys(after.labels).filter((label) => label.startsWith('alertscale.state.'))).toEqual([]);
      const outcomes = (await loop.decisions(service)).map((d) => d.outcome);
      expect(outcomes).not.toContain('scaled');
      expect(outcomes.filter((o) => o === 'dry_run').length).toBeGreaterThanOrEqual(1);
    } catch (error) {
      throw new Error(`${describeError(error)}\n${loop.diagnostics()}`, { cause: error });
    }
  });
});
