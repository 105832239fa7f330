import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import type { Express } from 'express';
import { createDockerSwarmGateway } from '../../src/adapters/docker/createDockerSwarmGateway';
import { TEST_TOKEN, createTestApp } from '../support/createTestApp';
import { docker, uniqueName } from '../../harness/docker';
import { fixtureFor } from '../../harness/notifications';
import { waitFor } from '../../harness/polling';
import { TEST_IMAGE, createTestService, removeOrphanedServices, removeTestServices } from '../../harness/swarmServices';

const run = promisify(execFile);
const PREFIX = 'asit-rollback';
/** The same image under a second name: "v2" of a deploy, without a registry. */
const DEPLOYED_IMAGE = 'alertscale-test/busybox:deploy-v2';
const created: string[] = [];
let app: Express;

/**
 * The docker CLI, as the operator types it in docs/deploy.md. Swarm bumps a new
 * service's version itself right after creation, so a first update may be refused
 * as out of sequence: the operator would simply run it again.
 */
async function dockerCli(...args: string[]): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await run('docker', args, { timeout: 60_000 });
      return;
    } catch (error) {
      if (attempt >= 5 || !/update out of sequence/.test(String(error))) throw error;
    }
  }
}

async function imageAndReplicas(name: string) {
  const info = await docker.getService(name).inspect();
  return { image: String(info.Spec?.TaskTemplate?.ContainerSpec?.Image ?? '').split('@')[0], replicas: info.Spec?.Mode?.Replicated?.Replicas };
}

/** Waits until Docker finished rolling the last update out: alertscale defers while it runs. */
const rolledOut = (name: string) =>
  waitFor(
    `${name}'s rollout to complete`,
    async () => {
      const state = (await docker.getService(name).inspect()).UpdateStatus?.State;
      return state === 'completed' ? true : undefined;
    },
    60_000,
    250,
  );

/** v1 running, then a deploy of v2, then an autoscale 1→2 once the deploy has rolled out. */
async function deployThenAutoscale(): Promise<string> {
  const name = uniqueName(PREFIX);
  created.push(name);
  await createTestService(name, { labels: { 'alertscale.enabled': 'true', 'alertscale.max': '4', 'alertscale.cooldown.up': '0s' } });
  await dockerCli('service', 'update', '--detach', '--image', DEPLOYED_IMAGE, name);
  await rolledOut(name);
  const response = await request(app).post('/webhook').set('Authorization', `Bearer ${TEST_TOKEN}`).send(fixtureFor('firing-one-alert', name));
  expect(response.body.decisions[0]).toMatchObject({ outcome: 'scaled', from: 1, to: 2 });
  expect(await imageAndReplicas(name)).toEqual({ image: DEPLOYED_IMAGE, replicas: 2 });
  return name;
}

beforeAll(async () => {
  await removeOrphanedServices(PREFIX);
  await docker.getImage(TEST_IMAGE).tag({ repo: 'alertscale-test/busybox', tag: 'deploy-v2' });
  app = (await createTestApp(createDockerSwarmGateway(docker))).app;
});

afterAll(async () => {
  await removeTestServices(created);
});

describe('undoing a bad deploy while autoscaling is on', () => {
  test('when docker service rollback follows an autoscale, then it undoes the autoscale and keeps the bad deploy (the trap the docs warn about)', async () => {
    const name = await deployThenAutoscale();
    await dockerCli('service', 'rollback', '--detach', name);
    expect(await imageAndReplicas(name)).toEqual({ image: DEPLOYED_IMAGE, replicas: 1 });
  });

  test('when the operator redeploys the previous image as docs/deploy.md says, then the deploy is undone and the autoscaled replicas are kept', async () => {
    const name = await deployThenAutoscale();
    await dockerCli('service', 'update', '--detach', '--image', TEST_IMAGE, name);
    expect(await imageAndReplicas(name)).toEqual({ image: TEST_IMAGE, replicas: 2 });
    const labels = (await docker.getService(name).inspect()).Spec?.Labels ?? {};
    expect(labels).toMatchObject({ 'alertscale.state.action': 'up', 'alertscale.state.from': '1' });
  });
});
