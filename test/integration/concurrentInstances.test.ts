import { openAlertscaleDocker, type AlertscaleDocker } from '../../harness/alertscaleDocker';
import { docker, inspectService } from '../../harness/docker';
import { fixtureFor } from '../../harness/notifications';
import { recentDecisions, startAlertscale, type RunningAlertscale } from '../../harness/startAlertscale';
import { useTestServices } from '../support/useTestServices';

const PREFIX = 'asit-concurrent';
const TOKEN = 'concurrency-test-token';
const services = useTestServices(PREFIX);
let instances: RunningAlertscale[] = [];
let alertscaleDocker: AlertscaleDocker | undefined;

beforeAll(async () => {
  alertscaleDocker = await openAlertscaleDocker();
  const env = { WEBHOOK_TOKEN: TOKEN, ...alertscaleDocker.env };
  instances = await Promise.all([1, 2, 3].map(() => startAlertscale(env)));
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await alertscaleDocker?.close();
});

describe('several alertscale instances', () => {
  test('when 60 identical notifications hit three instances at once, then the service changes exactly once', async () => {
    const name = await services.create({ labels: { 'alertscale.enabled': 'true', 'alertscale.max': '10', 'alertscale.cooldown.up': '0s' } });
    const before = await inspectService(name);
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

    const after = await inspectService(name);
    expect(after.replicas).toBe(2);
    // Each update moves the spec into PreviousSpec: after exactly one, the previous spec still has 1 replica.
    const info = await docker.getService(name).inspect();
    expect(info.PreviousSpec?.Mode?.Replicated?.Replicas).toBe(before.replicas);

    const outcomes = (await Promise.all(instances.map((instance) => recentDecisions(instance.url))))
      .flat()
      .filter((decision) => decision.service === name)
      .map((decision) => decision.outcome);
    expect(outcomes).toHaveLength(60);
    expect(outcomes.filter((outcome) => outcome === 'scaled')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(59);
  });
});
