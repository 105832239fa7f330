import request from 'supertest';
import { aService } from '../support/builders';
import { FakeSwarm } from '../support/fakeSwarm';
import { TEST_TOKEN, createTestApp } from '../support/createTestApp';
import { loadFixture } from '../../harness/notifications';
import { REJECTED_LOG_LINES_PER_MINUTE } from '../../src/http/mapErrorToResponse';

async function setUp() {
  const swarm = new FakeSwarm();
  swarm.add(aService({ 'alertscale.cooldown.up': '0s' }, { updatedAt: new Date(Date.now() - 3600_000).toISOString() }));
  return { swarm, ...(await createTestApp(swarm)) };
}

const rejectedLines = (logLines: string[]) => logLines.filter((line) => line.includes('"event":"webhook_rejected"'));

describe('answers that are not a 2xx', () => {
  test('when Docker is down, then the webhook 503 speaks to Alertmanager and the API 503 speaks to a person', async () => {
    const { app, swarm } = await setUp();
    swarm.outagesToInject = 10_000;
    const webhook = await request(app).post('/webhook').set('Authorization', `Bearer ${TEST_TOKEN}`).send(loadFixture('firing-one-alert'));
    expect(webhook.status).toBe(503);
    expect(webhook.body.message).toMatch(/Alertmanager will retry$/);
    const api = await request(app).get('/api/v1/services/shop_worker');
    expect(api.status).toBe(503);
    expect(api.body.message).toMatch(
      /^unavailable: connect ECONNREFUSED .*; alertscale cannot answer this until Docker \(or the broker\) is reachable again; try again shortly, and see GET \/readyz/,
    );
    expect(api.body.message).not.toMatch(/Alertmanager/);
  });

  test('when a webhook request is refused for its token, then one log line says why, without the token', async () => {
    const { app, logLines } = await setUp();
    await request(app).post('/webhook').set('Authorization', `Bearer ${TEST_TOKEN}x`).set('User-Agent', 'Alertmanager/0.25.0').send(loadFixture('firing-one-alert')).expect(401);
    const lines = rejectedLines(logLines);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 'warn',
      status: 401,
      error: 'unauthorized',
      userAgent: 'Alertmanager/0.25.0',
      message: expect.stringMatching(/^webhook rejected with 401: unauthorized/),
    });
    expect(logLines.join('\n')).not.toContain(TEST_TOKEN);
  });

  test.each([
    ['no header', undefined, /^webhook rejected with 401: unauthorized: no Authorization header;/],
    ['another scheme', `Basic ${TEST_TOKEN}`, /^webhook rejected with 401: unauthorized: the Authorization header is not "Bearer <token>";/],
    ['a wrong token', 'Bearer not-the-token', /^webhook rejected with 401: unauthorized: the bearer token does not match;/],
  ])('when the webhook gets %s, then the log line says which, without the token', async (_case, header, expected) => {
    const { app, logLines } = await setUp();
    const sent = request(app).post('/webhook');
    await (header === undefined ? sent : sent.set('Authorization', header)).send(loadFixture('firing-one-alert')).expect(401);
    const [line] = rejectedLines(logLines).map((text) => JSON.parse(text));
    expect(line.message).toMatch(expected);
    expect(logLines.join('\n')).not.toContain(TEST_TOKEN);
  });

  test('when a webhook body is invalid, then the log line names the failing fields but dumps no body', async () => {
    const { app, logLines } = await setUp();
    const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
    await request(app).post('/webhook').set(auth).set('Content-Type', 'application/json').send('{"secret": "hunter2"').expect(400);
    await request(app).post('/webhook').set(auth).send({ version: '4', alerts: 'hunter3' }).expect(400);
    const [notJson, notAlertmanager] = rejectedLines(logLines).map((line) => JSON.parse(line));
    expect(notJson).toMatchObject({ status: 400, message: 'webhook rejected with 400: invalid_payload: the body is not valid JSON' });
    expect(notAlertmanager).toMatchObject({ status: 400, paths: expect.arrayContaining(['alerts']) });
    expect(logLines.join('\n')).not.toMatch(/hunter[23]/);
  });

  test('when a storm of bad requests arrives, then the log takes a bounded number of lines a minute', async () => {
    const { app, logLines } = await setUp();
    for (let i = 0; i < REJECTED_LOG_LINES_PER_MINUTE + 15; i += 1) await request(app).post('/webhook').send(loadFixture('firing-one-alert')).expect(401);
    expect(rejectedLines(logLines)).toHaveLength(REJECTED_LOG_LINES_PER_MINUTE);
  });

  test('when the API answers a 4xx, then it is not logged as a rejected webhook', async () => {
    const { app, logLines } = await setUp();
    await request(app).get('/api/v1/services/nope').expect(404);
    expect(rejectedLines(logLines)).toHaveLength(0);
  });
});
