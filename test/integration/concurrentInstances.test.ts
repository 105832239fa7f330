import { openAlertscaleDocker, type AlertscaleDocker } from '../support/alertscaleDocker';
import { fixtureFor } from '../support/loadFixture';
import { startAlertscale, type RunningAlertscale } from '../support/startAlertscale';
import { createTestService, docker, inspectTestService, removeLeftoverTestServices, removeTestServices, uniqueName } from '../support/swarmServices';

const PREFIX = 'asit-concurrent';
const TOKEN = 'concurrency-test-token';
const created: string[] = [];
let instances: RunningAlertscale[] = [];
let alertscaleDocker: AlertscaleDocker | undefined;

beforeAll(async () => {
  await removeLeftoverTestServices(PREFIX);
  alertscaleDocker = await openAlertscaleDocker();
  const env = { WEBHOOK_TOKEN: TOKEN, ...alertscaleDocker.env };
  instances = await Promise.all([1, 2, 3].map(() => startAlertscale(env)));
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await alertscaleDocker?.close();
  await removeTestServices(created);
});

interface DecisionView {
  service: string;
  outcome: string;
}

describe('several alertscale instances', () => {
  test('when 60 identical notifications hit three instances at once, then the service changes exactly once', async () => {
    const name = uniqueName(PREFIX);
    created.push(name);
    await createTestService(name, { labels: { 'alertscale.enabled': 'true', 'alertscale.max': '10', 'alertscale.cooldown.up': '0s' } });
    const before = await inspectTestService(name);
    const body = JSON.stringify(fixtureFor('firing-one-alert', name));

    const statuses = await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        fetch(`${instances[index % 3]?.url}/webhook`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
          body,
        }).then((response) => response.status),
      ),
    );
    expect(statuses.every((status) => status === 202)).toBe(true);

    const after = await inspectTestService(name);
    expect(after.replicas).toBe(2);
    // Each update moves the spec into PreviousSpec: after exactly one, the previous spec still has 1 replica.
    const info = await docker.getService(name).inspect();
    expect(info.PreviousSpec?.Mode?.Replicated?.Replicas).toBe(before.replicas);

    const outcomes = (
      await Promise.all(instances.map(async (instance) => ((await (await fetch(`${instance.url}/api/v1/decisions?limit=500`)).json()) as { decisions: DecisionView[] }).decisions))
    )
      .flat()
      .filter((decision) => decision.service === name)
      .map((decision) => decision.outcome);
    expect(outcomes).toHaveLength(60);
    expect(outcomes.filter((outcome) => outcome === 'scaled')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(59);
  });
});
