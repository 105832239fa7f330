/**
 * How alertscale finds the service an alert names, on the real Swarm: only an exact
 * name is a service (an ID prefix, even an ambiguous one, is `not_found`), a missing
 * name gets "did you mean" hints, and a global service shows its running tasks.
 */
import request from 'supertest';
import type { Express } from 'express';
import { createDockerSwarmGateway } from '../../src/adapters/docker/createDockerSwarmGateway';
import { openAlertscaleDocker, type AlertscaleDocker } from '../../harness/alertscaleDocker';
import { TEST_TOKEN, createTestApp } from '../support/createTestApp';
import { firstAlert, fixtureFor } from '../../harness/notifications';
import { createTestService, removeTestServices, removeOrphanedServices } from '../../harness/swarmServices';
import { docker, uniqueName } from '../../harness/docker';
import { waitFor } from '../../harness/polling';

const PREFIX = 'asit-lookup';
const created: string[] = [];
let app: Express;
let alertscaleDocker: AlertscaleDocker | undefined;

beforeAll(async () => {
  await removeOrphanedServices(PREFIX);
  alertscaleDocker = await openAlertscaleDocker();
  // No reuse of the name list: each test creates the service it expects to be suggested.
  app = (await createTestApp(createDockerSwarmGateway(alertscaleDocker.docker, { names: { ttlMs: 0 } }))).app;
});

afterAll(async () => {
  await alertscaleDocker?.close();
  await removeTestServices(created);
});

let sequence = 0;
async function decide(service: string) {
  const payload = fixtureFor('firing-one-alert', service);
  sequence += 1;
  firstAlert(payload).startsAt = new Date(Date.now() + sequence).toISOString();
  const response = await request(app).post('/webhook').set('Authorization', `Bearer ${TEST_TOKEN}`).send(payload);
  expect(response.status).toBe(202);
  return response.body.decisions[0] as { outcome: string; reason: string };
}

/** A service that runs nothing (0 replicas), so creating many is cheap. */
async function anIdleService(): Promise<string> {
  const name = uniqueName(PREFIX);
  created.push(name);
  await createTestService(name, { replicas: 0 });
  const info = await docker.getService(name).inspect();
  return info.ID as string;
}

function commonPrefix(a: string, b: string): string {
  let length = 0;
  while (length < Math.min(a.length, b.length) && a[length] === b[length]) length += 1;
  return a.slice(0, length);
}

/** Creates idle services until two of ours share an ID prefix (36 first characters: a handful suffice). */
async function anAmbiguousIdPrefix(): Promise<string> {
  const ids: string[] = [];
  for (let attempt = 0; attempt < 60; attempt += 1) {
    const id = await anIdleService();
    const twin = ids.find((other) => other[0] === id[0]);
    if (twin) return commonPrefix(twin, id);
    ids.push(id);
  }
  throw new Error('60 services without two IDs sharing a first character');
}

describe('finding the service an alert names', () => {
  test('when scale_service is an ID prefix several services share, then the decision is not_found and the API answers 404', async () => {
    const prefix = await anAmbiguousIdPrefix();
    // Asked before any decision about the name, which the API would otherwise show.
    const response = await request(app).get(`/api/v1/services/${prefix}`);
    expect(response.status).toBe(404);
    expect(response.body.error).toBe('not_found');
    const decision = await decide(prefix);
    expect(decision).toMatchObject({ outcome: 'not_found' });
    expect(decision.reason).toMatch(new RegExp(`no Swarm service named "${prefix}"`));
  });

  test('when scale_service lacks the stack prefix of an existing service, then the reason suggests that service', async () => {
    const word = `api${Math.random().toString(36).slice(2, 8)}`;
    const stackName = `${uniqueName(PREFIX)}_${word}`;
    created.push(stackName);
    await createTestService(stackName, { replicas: 0 });
    const response = await request(app).get(`/api/v1/services/${word}`);
    expect(response.status).toBe(404);
    expect(response.body.message).toContain(`closest existing service: "${stackName}"`);
    const decision = await decide(word);
    expect(decision.outcome).toBe('not_found');
    expect(decision.reason).toContain(`closest existing service: "${stackName}"`);
  });

  test('when a service is global, then the API reports its running tasks, not 0 replicas', async () => {
    const name = uniqueName(PREFIX);
    created.push(name);
    await createTestService(name, { global: true, labels: { 'alertscale.enabled': 'true' } });
    const described = await waitFor(`${name} to run its task`, async () => {
      const response = await request(app).get(`/api/v1/services/${name}`);
      return response.body.replicas === 1 ? response.body : undefined;
    });
    expect(described).toMatchObject({ mode: 'global', replicas: 1 });
    const listed = await request(app).get('/api/v1/services');
    expect(listed.body.services.find((service: { name: string }) => service.name === name)).toMatchObject({ mode: 'global', replicas: 1 });
  });
});
