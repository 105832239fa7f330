import request from 'supertest';
import type { Express } from 'express';
import { createDockerSwarmGateway } from '../../src/adapters/docker/createDockerSwarmGateway';
import { TEST_TOKEN, createTestApp } from '../support/createTestApp';
import { openAlertscaleDocker, type AlertscaleDocker } from '../../harness/alertscaleDocker';
import { docker, inspectService, uniqueName } from '../../harness/docker';
import { firstAlert, fixtureFor, refired, type FixtureName } from '../../harness/notifications';
import { waitFor } from '../../harness/polling';
import { updateTestService } from '../../harness/swarmServices';
import { useTestServices } from '../support/useTestServices';

const PREFIX = 'asit-core';
const services = useTestServices(PREFIX);
let app: Express;
let dryRunApp: Express;
let alertscaleDocker: AlertscaleDocker | undefined;

/** A service opted in with fast cooldowns unless the test says otherwise. */
async function aScalableService(labels: Record<string, string> = {}, replicas = 1, options: { global?: boolean } = {}): Promise<string> {
  const name = await services.create({
    replicas,
    ...options,
    labels: { 'alertscale.enabled': 'true', 'alertscale.max': '4', 'alertscale.cooldown.up': '0s', 'alertscale.cooldown.down': '0s', ...labels },
  });
  return name;
}

/** A fresh notification each time (new startsAt), as a new firing of the alert would be. */
function notification(service: string, action: 'up' | 'down' | 'to', extra: { step?: string; replicas?: string } = {}) {
  const fixture: FixtureName = action === 'to' ? 'firing-scale-to-truncated' : 'firing-one-alert';
  const payload = fixtureFor(fixture, service, { scale_action: action, ...(extra.step ? { scale_step: extra.step } : {}) });
  if (extra.replicas !== undefined) firstAlert(payload).annotations.scale_replicas = extra.replicas;
  return refired(payload);
}

async function send(payload: unknown, target: Express = app) {
  const response = await request(target)
    .post('/webhook')
    .set('Authorization', `Bearer ${TEST_TOKEN}`)
    .send(payload as object);
  expect(response.status).toBe(202);
  return response.body.decisions[0] as { outcome: string; reason: string; from?: number; to?: number };
}

const replicasOf = async (name: string) => (await inspectService(name)).replicas;

beforeAll(async () => {
  alertscaleDocker = await openAlertscaleDocker();
  const swarm = createDockerSwarmGateway(alertscaleDocker.docker);
  app = (await createTestApp(swarm)).app;
  dryRunApp = (await createTestApp(swarm, { dryRun: true })).app;
});

afterAll(async () => {
  await alertscaleDocker?.close();
});

describe('scaling real Swarm services', () => {
  test('when up, down and to arrive in turn, then replicas follow within bounds and state is written with them', async () => {
    const name = await aScalableService();
    expect(await send(notification(name, 'up'))).toMatchObject({ outcome: 'scaled', from: 1, to: 2 });
    const afterUp = await inspectService(name);
    expect(afterUp.replicas).toBe(2);
    expect(afterUp.labels).toMatchObject({ 'alertscale.state.action': 'up', 'alertscale.state.from': '1', 'alertscale.state.key': expect.any(String) });
    expect(await send(notification(name, 'to', { replicas: '3.4' }))).toMatchObject({ outcome: 'scaled', to: 4 });
    expect(await send(notification(name, 'to', { replicas: '40' }))).toMatchObject({ outcome: 'at_bound', to: 4 });
    expect(await send(notification(name, 'up'))).toMatchObject({ outcome: 'at_bound' });
    expect(await send(notification(name, 'down', { step: '2' }))).toMatchObject({ outcome: 'scaled', from: 4, to: 2 });
    expect(await send(notification(name, 'down', { step: '5' }))).toMatchObject({ outcome: 'scaled', to: 1 });
    expect(await send(notification(name, 'down'))).toMatchObject({ outcome: 'at_bound' });
    expect(await replicasOf(name)).toBe(1);
  });

  test('when the step is a percentage, then it rounds up', async () => {
    const name = await aScalableService({ 'alertscale.step.up': '50%', 'alertscale.max': '6' }, 3);
    expect(await send(notification(name, 'up'))).toMatchObject({ outcome: 'scaled', from: 3, to: 5 });
    expect(await replicasOf(name)).toBe(5);
  });

  test('when the service is below min, then any action raises it to min', async () => {
    const name = await aScalableService({ 'alertscale.min': '2' }, 0);
    expect(await send(notification(name, 'down'))).toMatchObject({ outcome: 'scaled', from: 0, to: 2 });
    expect(await replicasOf(name)).toBe(2);
  });

  test('when actions come faster than the cooldowns, then they wait in both directions', async () => {
    const name = await aScalableService({ 'alertscale.cooldown.up': '3s', 'alertscale.cooldown.down': '3s' });
    // Creating the service is itself a change of its spec: wait out the cooldown it starts.
    await new Promise((resolve) => setTimeout(resolve, 3100));
    expect(await send(notification(name, 'up'))).toMatchObject({ outcome: 'scaled', to: 2 });
    const tooSoonUp = await send(notification(name, 'up'));
    expect(tooSoonUp).toMatchObject({ outcome: 'cooldown' });
    expect(tooSoonUp.reason).toMatch(/next up allowed at/);
    const tooSoonDown = await send(notification(name, 'down'));
    expect(tooSoonDown).toMatchObject({ outcome: 'cooldown', reason: expect.stringMatching(/next down allowed at/) });
    await new Promise((resolve) => setTimeout(resolve, 3100));
    expect(await send(notification(name, 'down'))).toMatchObject({ outcome: 'scaled', to: 1 });
    expect(await replicasOf(name)).toBe(1);
  });

  test.each([
    ['paused', { 'alertscale.paused': 'true' }, 'paused', /alertscale.paused=true/],
    ['not opted in', { 'alertscale.enabled': 'false' }, 'not_enabled', /alertscale.enabled=true/],
    ['given an invalid policy', { 'alertscale.cooldown.up': 'soon' }, 'invalid_policy', /alertscale.cooldown.up="soon"/],
  ])('when the service is %s, then nothing changes and the reason says why', async (_case, labels, outcome, reason) => {
    const name = await aScalableService(labels);
    expect(await send(notification(name, 'up'))).toMatchObject({ outcome, reason: expect.stringMatching(reason) });
    expect(await inspectService(name)).toMatchObject({ replicas: 1, everUpdated: false });
  });

  test('when the service is global, then it is not_replicated and unchanged', async () => {
    const name = await aScalableService({}, 1, { global: true });
    expect(await send(notification(name, 'up'))).toMatchObject({ outcome: 'not_replicated' });
    expect((await inspectService(name)).everUpdated).toBe(false);
  });

  test('when the service does not exist, then not_found', async () => {
    expect(await send(notification(uniqueName(`${PREFIX}-missing`), 'up'))).toMatchObject({ outcome: 'not_found' });
  });

  test('when a rollout is in progress, then the scale is deferred and the rollout is left alone', async () => {
    const name = await aScalableService({}, 2);
    await updateTestService(name, (spec) => {
      spec.TaskTemplate = { ...spec.TaskTemplate, ContainerSpec: { ...(spec.TaskTemplate as { ContainerSpec?: object }).ContainerSpec, Env: ['ROLLOUT=2'] } };
      spec.UpdateConfig = { Parallelism: 1, Delay: 3600 * 1e9, Order: 'stop-first' };
    });
    await waitFor('the rollout to start', async () => {
      const info = await docker.getService(name).inspect();
      return info.UpdateStatus?.State === 'updating' ? true : undefined;
    });
    const before = await docker.getService(name).inspect();
    expect(await send(notification(name, 'up'))).toMatchObject({ outcome: 'deferred', reason: expect.stringMatching(/rollout .* is updating/) });
    const after = await docker.getService(name).inspect();
    expect(after.Spec).toEqual(before.Spec);
    expect(after.UpdateStatus?.State).toBe('updating');
  });

  test('when a stack deploy rewrote the service after our action, then an up is made at once and a down waits for the cooldown that change starts', async () => {
    const name = await aScalableService({ 'alertscale.cooldown.up': '0s' });
    expect(await send(notification(name, 'up'))).toMatchObject({ outcome: 'scaled', to: 2 });
    // docker stack deploy sends the stack file's spec: replicas reset, our state labels gone, cooldowns now 1m.
    await updateTestService(name, (spec) => {
      spec.Labels = {
        ...Object.fromEntries(Object.entries(spec.Labels as Record<string, string>).filter(([key]) => !key.startsWith('alertscale.state.'))),
        'alertscale.cooldown.up': '1m',
        'alertscale.cooldown.down': '1m',
        'alertscale.min': '0',
      };
      spec.Mode = { Replicated: { Replicas: 1 } };
    });
    // Capacity first: a deploy that reset the count while load is high must not delay the scale-up.
    expect(await send(notification(name, 'up'))).toMatchObject({ outcome: 'scaled', from: 1, to: 2 });
    await updateTestService(name, (spec) => {
      spec.Labels = Object.fromEntries(Object.entries(spec.Labels as Record<string, string>).filter(([key]) => !key.startsWith('alertscale.state.')));
    });
    const down = await send(notification(name, 'down'));
    expect(down).toMatchObject({ outcome: 'cooldown', reason: expect.stringMatching(/outside alertscale/) });
    expect(await replicasOf(name)).toBe(2);
  });

  test('when DRY_RUN is on, then the decision is recorded as dry_run and replicas are unchanged', async () => {
    const name = await aScalableService();
    expect(await send(notification(name, 'up'), dryRunApp)).toMatchObject({ outcome: 'dry_run', from: 1, to: 2 });
    expect(await replicasOf(name)).toBe(1);
  });

  test('when the same notification is sent again, then it is a duplicate and replicas change once', async () => {
    const name = await aScalableService();
    const payload = notification(name, 'up');
    expect(await send(payload)).toMatchObject({ outcome: 'scaled' });
    expect(await send(payload)).toMatchObject({ outcome: 'duplicate' });
    expect(await replicasOf(name)).toBe(2);
  });
});
