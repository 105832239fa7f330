import request from 'supertest';
import { TEST_TOKEN, createTestApp } from '../support/createTestApp';
import { FakeSwarm } from '../support/fakeSwarm';
import { fixtureFor, refired } from '../../harness/notifications';
import { aService } from '../support/builders';

const HOSTILE = '<script>alert("pwned")</script>';

async function setUp() {
  const swarm = new FakeSwarm();
  const oldEnough = new Date(Date.now() - 3600_000).toISOString();
  swarm.add(aService({ 'alertscale.cooldown.up': '2m' }, { name: 'shop_worker', updatedAt: oldEnough }));
  swarm.add(aService({ 'alertscale.max': HOSTILE }, { name: 'shop_api', updatedAt: oldEnough }));
  swarm.add(aService({ 'alertscale.paused': 'true' }, { name: 'billing', updatedAt: oldEnough }));
  const test = await createTestApp(swarm);
  const notify = (service: string) => {
    // A new firing of the alert each time (new startsAt), not a re-send.
    const payload = refired(fixtureFor('firing-one-alert', service));
    return request(test.app).post('/webhook').set('Authorization', `Bearer ${TEST_TOKEN}`).send(payload);
  };
  return { ...test, swarm, notify };
}

describe('status page', () => {
  test('when decisions were made, then GET / shows each service with replicas, bounds, last change, next allowed times and each decision with its reason', async () => {
    const { app, notify } = await setUp();
    await notify('shop_worker');
    await notify('shop_worker');
    await notify('billing');
    const page = await request(app).get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toMatch(/<tr data-service="shop_worker">[\s\S]*<span class="replicas">3<\/span> <span class="muted">\(1 – 5\)/);
    expect(page.text).toMatch(/alertscale up 2 → 3/);
    expect(page.text).toMatch(/<span class="outcome held_back">cooldown<\/span>[\s\S]*next up allowed at/);
    expect(page.text).toMatch(/<tr data-service="billing">[\s\S]*<span class="badge paused">paused<\/span>/);
    expect(page.text).toMatch(/<span class="outcome scaled">scaled<\/span>/);
  });

  test('when a label value or a reason carries markup, then it is shown as text and no script can run', async () => {
    const { app } = await setUp();
    const page = await request(app).get('/');
    expect(page.text).not.toContain(HOSTILE);
    expect(page.text).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(page.text).toMatch(/<div class="policy-error">invalid_policy: label alertscale.max=/);
    expect(page.text).not.toMatch(/<script/i);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
  });

  test('when filtered by service and outcome kind, then only matching decisions are listed and the filters are kept across refreshes', async () => {
    const { app, notify } = await setUp();
    await notify('shop_worker');
    await notify('billing');
    const page = await request(app).get('/?service=billing&outcome=held_back');
    const rows = page.text.match(/<tr class="(scaled|held_back|refused|error)">/g) ?? [];
    expect(rows).toEqual(['<tr class="held_back">']);
    expect(page.text).toMatch(/<option value="billing" selected>/);
    expect(page.text).toMatch(/<option value="held_back" selected>/);
    expect(page.text).toMatch(/<meta http-equiv="refresh" content="10">/);
  });

  test('when Docker cannot be reached, then the page still answers with the decisions and says why services are missing', async () => {
    const { app, swarm } = await setUp();
    swarm.outagesToInject = 1;
    const page = await request(app).get('/');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/Could not list services: connect ECONNREFUSED/);
  });
});
