import { createNodeCacheDedup } from '../../src/adapters/cache/createNodeCacheDedup';
import { IntentExpiredError } from '../../src/app/errors';
import { createIntentProcessor } from '../../src/app/processIntent';
import type { Decision } from '../../src/domain/types';
import { NOW_MS, aService, anIntent } from '../support/domainBuilders';
import { FakeSwarm } from '../support/fakeSwarm';

/** A processor whose clock jumps by `inspectTakesMs` during every inspect (a frozen or slow consumer). */
function setUp(inspectTakesMs = 0) {
  const swarm = new FakeSwarm();
  swarm.add(aService({ 'alertscale.cooldown.up': '0s' }));
  let clock = NOW_MS;
  const inspect = swarm.inspectService.bind(swarm);
  swarm.inspectService = async (name) => {
    clock += inspectTakesMs;
    return inspect(name);
  };
  const recorded: Decision[] = [];
  const process = createIntentProcessor({
    swarm,
    dedupCache: createNodeCacheDedup(30_000),
    recorder: { record: async (decision) => void recorded.push(decision) },
    settings: { ceiling: 100, dedupWindowMs: 30_000 },
    dryRun: false,
    now: () => clock,
  });
  return { swarm, process, recorded };
}

describe('processIntent with an expiry (INTENT_TTL of a durable queue)', () => {
  test('when the intent is still fresh at the Docker write, then it is applied', async () => {
    const { swarm, process } = setUp(1000);
    await expect(process(anIntent(), { expiresAtMs: NOW_MS + 5000 })).resolves.toMatchObject({ outcome: 'scaled' });
    expect(swarm.updates).toHaveLength(1);
  });

  test('when the intent expires while Docker is inspected (the consumer was frozen), then it is not applied, not recorded, and the queue is told it expired', async () => {
    const { swarm, process, recorded } = setUp(10_000);
    await expect(process(anIntent(), { expiresAtMs: NOW_MS + 5000 })).rejects.toBeInstanceOf(IntentExpiredError);
    expect(swarm.updates).toEqual([]);
    expect(recorded).toEqual([]);
  });

  test('when the expired intent would not have changed anything anyway, then its decision stands (only the write is guarded)', async () => {
    const { process } = setUp(10_000);
    await expect(process(anIntent({ action: 'to', target: 2 }), { expiresAtMs: NOW_MS + 5000 })).resolves.toMatchObject({ outcome: 'no_change' });
  });

  test('when no expiry is given (in-process queue), then nothing is guarded', async () => {
    const { swarm, process } = setUp(10_000);
    await expect(process(anIntent())).resolves.toMatchObject({ outcome: 'scaled' });
    expect(swarm.updates).toHaveLength(1);
  });
});
