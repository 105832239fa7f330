import request from 'supertest';
import { FakeSwarm } from '../support/fakeSwarm';
import { TEST_TOKEN, createTestApp } from '../support/createTestApp';
import { aService } from '../support/builders';
import { fixtureFor, loadFixture, firstAlert } from '../../harness/notifications';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

async function setUp(options: Parameters<typeof createTestApp>[1] = {}) {
  const swarm = new FakeSwarm();
  swarm.add(aService({ 'alertscale.cooldown.up': '0s' }, { updatedAt: new Date(Date.now() - 3600_000).toISOString() }));
  return { swarm, ...(await createTestApp(swarm, options)) };
}

describe('POST /webhook', () => {
  test('when the recorded firing payload arrives with the token, then 202 and the service scales once', async () => {
    const { app, swarm } = await setUp();
    const response = await request(app).post('/webhook').set(auth).send(loadFixture('firing-one-alert'));
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ accepted: 1, decisions: [expect.objectContaining({ service: 'shop_worker', outcome: 'scaled', from: 2, to: 3 })] });
    expect(swarm.updates).toHaveLength(1);
  });

  test('when the same payload is re-sent (retry or HA peer), then it is a duplicate and nothing more changes', async () => {
    const { app, swarm } = await setUp();
    await request(app).post('/webhook').set(auth).send(loadFixture('firing-one-alert'));
    const again = await request(app).post('/webhook').set(auth).send(loadFixture('firing-one-alert'));
    expect(again.status).toBe(202);
    expect(again.body.decisions).toEqual([expect.objectContaining({ outcome: 'duplicate' })]);
    expect(swarm.updates).toHaveLength(1);
  });

  test('when the recorded resolved payload arrives, then 202 and nothing scales', async () => {
    const { app, swarm } = await setUp();
    const response = await request(app).post('/webhook').set(auth).send(loadFixture('resolved-one-alert'));
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ accepted: 0, counts: { resolved: 1 } });
    expect(swarm.updates).toHaveLength(0);
  });

  test('when the recorded truncated to payload arrives, then it acts on what it received and logs the truncation', async () => {
    const { app, swarm, logLines } = await setUp();
    const response = await request(app).post('/webhook').set(auth).send(loadFixture('firing-scale-to-truncated'));
    expect(response.body.decisions).toEqual([expect.objectContaining({ action: 'to', outcome: 'scaled', to: 5 })]);
    expect(swarm.updates).toEqual([expect.objectContaining({ replicas: 5 })]);
    expect(logLines.join('\n')).toMatch(/"event":"notification_truncated"/);
  });

  test('when the payload has fields alertscale does not know, then they are accepted', async () => {
    const { app } = await setUp();
    const payload: Record<string, any> = { ...loadFixture('firing-one-alert'), brandNewField: { nested: [1, 2] } };
    payload.alerts[0].anotherNewField = 'x';
    expect((await request(app).post('/webhook').set(auth).send(payload)).status).toBe(202);
  });

  test.each([
    ['no Authorization header', {}],
    ['a wrong token', { Authorization: 'Bearer wrong' }],
    ['a token one character short', { Authorization: `Bearer ${TEST_TOKEN.slice(0, -1)}` }],
    ['the wrong scheme', { Authorization: `Basic ${TEST_TOKEN}` }],
    ['the token without a scheme', { Authorization: TEST_TOKEN }],
  ])('when %s, then 401 and nothing changes', async (_case, headers) => {
    const { app, swarm } = await setUp();
    const response = await request(app).post('/webhook').set(headers).send(loadFixture('firing-one-alert'));
    expect(response.status).toBe(401);
    expect(response.body.message).toMatch(/Authorization: Bearer/);
    expect(JSON.stringify(response.body)).not.toContain(TEST_TOKEN);
    expect(swarm.updates).toHaveLength(0);
  });

  test('when the body is not JSON, then 415 naming the content type', async () => {
    const { app, swarm } = await setUp();
    const response = await request(app).post('/webhook').set(auth).set('Content-Type', 'text/plain').send('scale please');
    expect(response.status).toBe(415);
    expect(response.body.message).toMatch(/Content-Type must be application\/json, got "text\/plain"/);
    expect(swarm.updates).toHaveLength(0);
  });

  test('when the body exceeds BODY_LIMIT, then 413 and nothing changes', async () => {
    const { app, swarm } = await setUp({ bodyLimitBytes: 2048 });
    const payload = loadFixture('firing-one-alert');
    firstAlert(payload).annotations.description = 'x'.repeat(4096);
    const response = await request(app).post('/webhook').set(auth).send(payload);
    expect(response.status).toBe(413);
    expect(response.body.message).toMatch(/BODY_LIMIT/);
    expect(swarm.updates).toHaveLength(0);
  });

  test('when the JSON is malformed, then 400 saying so', async () => {
    const { app } = await setUp();
    const response = await request(app).post('/webhook').set(auth).set('Content-Type', 'application/json').send('{"alerts": [');
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/not valid JSON/);
  });

  test('when fields have the wrong shape, then 400 with the failing paths and nothing changes', async () => {
    const { app, swarm } = await setUp();
    // Deliberately not a Notification any more.
    const payload = loadFixture('firing-one-alert') as unknown as { status: unknown; groupKey?: unknown; alerts: Array<{ labels: Record<string, unknown> }> };
    payload.status = 'burning';
    (payload.alerts[0] ?? { labels: {} }).labels.scale_step = 3;
    delete payload.groupKey;
    const response = await request(app).post('/webhook').set(auth).send(payload);
    expect(response.status).toBe(400);
    expect(response.body.details.map((detail: { path: string }) => detail.path).sort()).toEqual(['alerts.0.labels.scale_step', 'groupKey', 'status']);
    expect(swarm.updates).toHaveLength(0);
  });

  test('when an alert breaks the label contract, then 202 with invalid_alert and its reason, and nothing changes', async () => {
    const { app, swarm } = await setUp();
    const response = await request(app)
      .post('/webhook')
      .set(auth)
      .send(fixtureFor('firing-one-alert', 'shop_worker', { scale_action: 'sideways' }));
    expect(response.status).toBe(202);
    expect(response.body.decisions).toEqual([expect.objectContaining({ outcome: 'invalid_alert', reason: expect.stringMatching(/scale_action="sideways"/) })]);
    expect(swarm.updates).toHaveLength(0);
  });

  test('when Docker is unreachable, then 503 so Alertmanager retries', async () => {
    const { app, swarm } = await setUp();
    swarm.outagesToInject = 10_000;
    const response = await request(app).post('/webhook').set(auth).send(loadFixture('firing-one-alert'));
    expect(response.status).toBe(503);
    expect(response.body.message).toMatch(/Docker did not answer/);
  });

  test('when WEBHOOK_AUTH=none, then requests without a token are accepted', async () => {
    const { app } = await setUp({ token: null });
    expect((await request(app).post('/webhook').send(loadFixture('firing-one-alert'))).status).toBe(202);
  });

  test('when requests are answered, then webhook metrics count them by code', async () => {
    const { app } = await setUp();
    await request(app).post('/webhook').send(loadFixture('firing-one-alert'));
    await request(app).post('/webhook').set(auth).send(loadFixture('firing-one-alert'));
    const metrics = (await request(app).get('/metrics')).text;
    expect(metrics).toMatch(/alertscale_webhook_requests_total\{code="401"\} 1/);
    expect(metrics).toMatch(/alertscale_webhook_requests_total\{code="202"\} 1/);
    expect(metrics).toMatch(/alertscale_decisions_total\{service="shop_worker",action="up",outcome="scaled"\} 1/);
  });
});
