import { createIntentProcessor, type IntentProcessorDeps } from '../../src/app/processIntent';
import type { Decision } from '../../src/domain/types';
import { createNodeCacheDedup } from '../../src/adapters/cache/createNodeCacheDedup';
import { IntentExpiredError } from '../../src/app/errors';

import { FakeSwarm } from '../support/fakeSwarm';
import { NOW_MS, aService, anIntent } from '../support/builders';

function setUp(overrides: Partial<IntentProcessorDeps> = {}) {
  const swarm = new FakeSwarm();
  swarm.add(aService({ 'alertscale.cooldown.up': '0s', 'alertscale.cooldown.down': '0s' }));
  const recorded: Decision[] = [];
  const process = createIntentProcessor({
    swarm,
    dedupCache: createNodeCacheDedup(30_000),
    recorder: { record: async (decision) => void recorded.push(decision) },
    settings: { ceiling: 100, dedupWindowMs: 30_000 },
    dryRun: false,
    now: () => NOW_MS,
    sleep: async () => undefined,
    ...overrides,
  });
  return { swarm, process, recorded };
}

describe('processIntent', () => {
  test('when an up is decided, then replicas and state labels are written in one update and the decision recorded', async () => {
    const { swarm, process, recorded } = setUp();
    const decision = await process(anIntent());
    expect(decision).toMatchObject({ outcome: 'scaled', from: 2, to: 3 });
    expect(swarm.updates).toEqual([{ name: 'shop_worker', replicas: 3, labels: expect.objectContaining({ 'alertscale.state.key': 'key-1', 'alertscale.state.from': '2' }) }]);
    expect(recorded).toEqual([decision]);
  });

  test('when the same intent is processed twice, then the second is a duplicate and nothing more is written', async () => {
    const { swarm, process } = setUp();
    await process(anIntent());
    expect(await process(anIntent())).toMatchObject({ outcome: 'duplicate' });
    expect(swarm.updates).toHaveLength(1);
  });

  test('when the same key reaches another instance (empty cache), then the state on the service makes it a duplicate', async () => {
    const first = setUp();
    await first.process(anIntent());
    const other = createIntentProcessor({
      swarm: first.swarm,
      dedupCache: createNodeCacheDedup(30_000),
      recorder: { record: async () => undefined },
      settings: { ceiling: 100, dedupWindowMs: 30_000 },
      dryRun: false,
      now: () => NOW_MS + 1000,
    });
    expect(await other(anIntent())).toMatchObject({ outcome: 'duplicate', reason: expect.stringMatching(/already acted on/) });
    expect(first.swarm.updates).toHaveLength(1);
  });

  test('when the version is stale twice, then it inspects and decides again and scales once', async () => {
    const { swarm, process } = setUp();
    swarm.conflictsToInject = 2;
    expect(await process(anIntent())).toMatchObject({ outcome: 'scaled', to: 3 });
    expect(swarm.updates).toHaveLength(1);
  });

  test('when conflicts never stop, then it gives up with a retryable error after the bounded retries', async () => {
    const { swarm, process } = setUp({ maxConflictRetries: 3 });
    swarm.conflictsToInject = 100;
    expect(await process(anIntent())).toMatchObject({ outcome: 'error', retryable: true, reason: expect.stringMatching(/4 version conflicts/) });
    expect(swarm.updates).toHaveLength(0);
  });

  test('when Docker fails twice then answers, then it retries and scales', async () => {
    const { swarm, process } = setUp();
    swarm.outagesToInject = 2;
    expect(await process(anIntent())).toMatchObject({ outcome: 'scaled' });
  });

  test('when Docker stays down past the deadline, then the decision is a retryable error naming Docker', async () => {
    let clock = NOW_MS;
    const { swarm, process } = setUp({ now: () => clock, sleep: async (ms) => void (clock += ms), transientRetryDeadlineMs: 1000 });
    swarm.outagesToInject = 1000;
    expect(await process(anIntent())).toMatchObject({ outcome: 'error', retryable: true, reason: expect.stringMatching(/Docker did not answer/) });
  });

  test('when DRY_RUN, then the decision is dry_run and nothing is written', async () => {
    const { swarm, process } = setUp({ dryRun: true });
    expect(await process(anIntent())).toMatchObject({ outcome: 'dry_run', from: 2, to: 3, reason: expect.stringMatching(/would scale up 2→3/) });
    expect(swarm.updates).toHaveLength(0);
  });

  test('when a down meets an active up alert in Alertmanager, then it is blocked', async () => {
    const { swarm, process } = setUp({ activeAlerts: { findActiveUpAlerts: async () => ['LatencyP95High'] } });
    expect(await process(anIntent({ action: 'down' }))).toMatchObject({ outcome: 'blocked', reason: expect.stringMatching(/LatencyP95High/) });
    expect(swarm.updates).toHaveLength(0);
  });

  test('when Alertmanager cannot be asked, then a down is blocked (fail safe)', async () => {
    const { process } = setUp({
      activeAlerts: {
        findActiveUpAlerts: async () => {
          throw new Error('ECONNREFUSED');
        },
      },
    });
    expect(await process(anIntent({ action: 'down' }))).toMatchObject({ outcome: 'blocked', reason: expect.stringMatching(/could not ask Alertmanager/) });
  });

  test('when a down meets no active up alert, then it scales down', async () => {
    const { process } = setUp({ activeAlerts: { findActiveUpAlerts: async () => [] } });
    expect(await process(anIntent({ action: 'down' }))).toMatchObject({ outcome: 'scaled', to: 1 });
  });

  test('when an up runs with the guard configured, then Alertmanager is not asked', async () => {
    const ask = jest.fn(async () => ['x']);
    const { process } = setUp({ activeAlerts: { findActiveUpAlerts: ask } });
    expect(await process(anIntent())).toMatchObject({ outcome: 'scaled' });
    expect(ask).not.toHaveBeenCalled();
  });

  test('when Docker refuses the update permanently, then the error is not retryable and says so', async () => {
    const { swarm, process } = setUp();
    swarm.scaleService = async () => {
      throw new Error('Docker refused update of shop_worker (HTTP 400): invalid spec');
    };
    expect(await process(anIntent())).toMatchObject({ outcome: 'error', retryable: false, reason: expect.stringMatching(/HTTP 400/) });
  });
});

describe('processIntent with an expiry (INTENT_TTL of a durable queue)', () => {
  /** Every inspect moves the clock by `inspectTakesMs`: a slow Docker, or a consumer frozen mid-decision. */
  function setUpSlowInspect(inspectTakesMs: number) {
    let clock = NOW_MS;
    const setup = setUp({ now: () => clock });
    const inspect = setup.swarm.inspectService.bind(setup.swarm);
    setup.swarm.inspectService = async (name) => {
      clock += inspectTakesMs;
      return inspect(name);
    };
    return setup;
  }

  test('when the intent is still fresh at the Docker write, then it is applied', async () => {
    const { swarm, process } = setUpSlowInspect(1000);
    await expect(process(anIntent(), { expiresAtMs: NOW_MS + 5000 })).resolves.toMatchObject({ outcome: 'scaled' });
    expect(swarm.updates).toHaveLength(1);
  });

  test('when the intent expires while Docker is inspected (the consumer was frozen), then it is not applied, not recorded, and the queue is told it expired', async () => {
    const { swarm, process, recorded } = setUpSlowInspect(10_000);
    await expect(process(anIntent(), { expiresAtMs: NOW_MS + 5000 })).rejects.toBeInstanceOf(IntentExpiredError);
    expect(swarm.updates).toEqual([]);
    expect(recorded).toEqual([]);
  });

  test('when the expired intent would not change anything anyway, then its decision stands (only the write is guarded)', async () => {
    const { process } = setUpSlowInspect(10_000);
    await expect(process(anIntent({ action: 'to', target: 2 }), { expiresAtMs: NOW_MS + 5000 })).resolves.toMatchObject({ outcome: 'no_change' });
  });

  test('when no expiry is given (in-process queue), then nothing is guarded', async () => {
    const { swarm, process } = setUpSlowInspect(10_000);
    await expect(process(anIntent())).resolves.toMatchObject({ outcome: 'scaled' });
    expect(swarm.updates).toHaveLength(1);
  });
});
