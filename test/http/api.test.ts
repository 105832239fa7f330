import request from 'supertest';
import { FakeSwarm } from '../support/fakeSwarm';
import { TEST_TOKEN, createTestApp } from '../support/createTestApp';
import { aService } from '../support/builders';
import { loadFixture, refired } from '../../harness/notifications';

async function setUp() {
  const swarm = new FakeSwarm();
  swarm.add(aService({ 'alertscale.cooldown.up': '2m' }, { updatedAt: new Date(Date.now() - 3600_000).toISOString() }));
  swarm.add(aService({ 'alertscale.max': 'many' }, { name: 'shop_api' }));
  swarm.add(aService({ 'alertscale.enabled': 'false' }, { name: 'db' }));
  return { swarm, ...(await createTestApp(swarm)) };
}

describe('read API and health', () => {
  test('when listing services, then every opted-in service shows replicas, policy or its error, and next allowed times', async () => {
    const { app } = await setUp();
    const response = await request(app).get('/api/v1/services');
    expect(response.status).toBe(200);
    const byName = Object.fromEntries(response.body.services.map((service: { name: string }) => [service.name, service]));
    expect(Object.keys(byName).sort()).toEqual(['shop_api', 'shop_worker']);
    expect(byName.shop_worker).toMatchObject({ replicas: 2, policy: { max: 5, cooldownUpMs: 120_000 }, nextDownAllowedAt: expect.any(String) });
    // alertscale never scaled it up: nothing holds an up back.
    expect(byName.shop_worker.nextUpAllowedAt).toBeUndefined();
    expect(byName.shop_api.policyError).toMatch(/alertscale.max="many"/);
  });

  test('when asking about one service after a cooldown, then its recent decisions say why it did not scale', async () => {
    const { app } = await setUp();
    await request(app).post('/webhook').set('Authorization', `Bearer ${TEST_TOKEN}`).send(loadFixture('firing-one-alert'));
    const again = refired(loadFixture('firing-one-alert'));
    await request(app).post('/webhook').set('Authorization', `Bearer ${TEST_TOKEN}`).send(again);
    const response = await request(app).get('/api/v1/services/shop_worker');
    expect(response.status).toBe(200);
    expect(response.body.recentDecisions.map((decision: { outcome: string }) => decision.outcome)).toEqual(['cooldown', 'scaled']);
    expect(response.body.recentDecisions[0].reason).toMatch(/next up allowed at/);
    expect(response.body.state).toMatchObject({ action: 'up', from: 2 });
  });

  test('when asking about an unknown service, then 404 with a message', async () => {
    const { app } = await setUp();
    const response = await request(app).get('/api/v1/services/nope');
    expect(response.status).toBe(404);
    expect(response.body.message).toMatch(/no Swarm service named "nope"/);
  });

  test('when asking about a name that is not a service but close to one, then 404 names the closest', async () => {
    const { app } = await setUp();
    const response = await request(app).get('/api/v1/services/api');
    expect(response.status).toBe(404);
    expect(response.body.message).toMatch(/closest existing service: "shop_api"/);
  });

  test('when a single instance (no AMQP_URL) answers, then it says its recent decisions are its own since start', async () => {
    const { app } = await setUp();
    const response = await request(app).get('/api/v1/services/shop_worker');
    expect(response.body.recentDecisionsFrom).toMatch(/^this process only/);
    expect(response.body).not.toHaveProperty('alertmanager');
  });

  test('when listing decisions, then newest first', async () => {
    const { app } = await setUp();
    await request(app).post('/webhook').set('Authorization', `Bearer ${TEST_TOKEN}`).send(loadFixture('firing-two-alerts-same-service'));
    await request(app).post('/webhook').set('Authorization', `Bearer ${TEST_TOKEN}`).send(loadFixture('firing-one-alert'));
    const response = await request(app).get('/api/v1/decisions');
    expect(response.body.decisions.map((decision: { service: string }) => decision.service)).toEqual(['shop_worker', 'shop_api']);
  });

  test('when Docker answers, then /readyz is 200; when not, then 503 with the reason', async () => {
    const { app, swarm } = await setUp();
    expect((await request(app).get('/readyz')).status).toBe(200);
    swarm.outagesToInject = 1;
    const response = await request(app).get('/readyz');
    expect(response.status).toBe(503);
    expect(response.body.reasons.join()).toMatch(/docker: connect ECONNREFUSED/);
  });

  test('when /healthz and /metrics are asked, then they answer with process metrics', async () => {
    const { app } = await setUp();
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toMatch(/process_cpu_seconds_total/);
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
  });
});
