import { findFreePort, waitFor } from '../support/polling';
import { startAlertmanager, type RunningAlertmanager } from '../support/startAlertmanager';
import { startAlertscale, type RunningAlertscale } from '../support/startAlertscale';

const started: RunningAlertscale[] = [];
let alertmanager: RunningAlertmanager;

async function run(env: Record<string, string>): Promise<RunningAlertscale> {
  const instance = await startAlertscale({ WEBHOOK_TOKEN: 't0ken', ...env });
  started.push(instance);
  return instance;
}

const logged = (instance: RunningAlertscale, pattern: RegExp) => waitFor(`a log line matching ${pattern}`, async () => pattern.test(instance.output()), 10_000, 100);

// The real Alertmanager's route (test/support/startAlertmanager.ts): root → alertscale's /webhook, group_interval 2s, repeat_interval 1h.
beforeAll(async () => {
  alertmanager = await startAlertmanager('http://127.0.0.1:9/webhook', 't0ken');
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((instance) => instance.stop()));
});
afterAll(() => alertmanager?.stop());

describe('startup checks against the real Alertmanager', () => {
  test('when DEDUP_WINDOW is shorter than the group_interval Alertmanager runs with, then it says so loudly at start', async () => {
    const instance = await run({ ALERTMANAGER_URL: alertmanager.url, DEDUP_WINDOW: '1s' });
    await logged(instance, /"level":"error".*DEDUP_WINDOW \(1s\) is shorter than group_interval \(2s\) of the route \(root\) → alertscale/);
  });

  test('when DEDUP_WINDOW reaches the repeat_interval Alertmanager runs with, then it says step scaling stalls', async () => {
    const instance = await run({ ALERTMANAGER_URL: alertmanager.url, DEDUP_WINDOW: '1h' });
    await logged(instance, /DEDUP_WINDOW \(1h\) is not shorter than repeat_interval \(1h\) of the route \(root\) → alertscale: every repeat/);
  });

  test('when DEDUP_WINDOW fits the route, then there is no warning about it and /readyz is ready', async () => {
    const instance = await run({ ALERTMANAGER_URL: alertmanager.url, DEDUP_WINDOW: '1m' });
    const ready = await fetch(`${instance.url}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready' } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(instance.output()).not.toMatch(/DEDUP_WINDOW \(/);
  });
});

describe('startup checks when something is unreachable', () => {
  test('when Alertmanager does not answer, then a warning at start names it and /readyz stays 200 but says the guard is degraded', async () => {
    const nobody = `http://127.0.0.1:${await findFreePort()}`;
    const instance = await run({ ALERTMANAGER_URL: nobody });
    await logged(instance, new RegExp(`"event":"startup_warning".*Alertmanager at ${nobody} does not answer .*scale-downs are blocked until it answers`));
    const ready = await fetch(`${instance.url}/readyz`);
    const body = await ready.json();
    expect(ready.status).toBe(200);
    expect(body).toEqual({ status: 'degraded', degraded: [expect.stringMatching(new RegExp(`^scale-down guard: Alertmanager at ${nobody} does not answer \\(cannot reach ${nobody}/api/v2/status: ECONNREFUSED\\); a scale-down cannot be confirmed safe`))] });
  });

  test('when Docker does not answer, then a warning at start names DOCKER_HOST and /readyz is 503', async () => {
    const instance = await run({ DOCKER_HOST: '/nonexistent/docker.sock' });
    await logged(instance, /"event":"startup_warning".*Docker at unix:\/\/\/nonexistent\/docker.sock does not answer/);
    expect((await fetch(`${instance.url}/readyz`)).status).toBe(503);
  });

  test('when DEDUP_WINDOW is above the shipped repeat_interval and there is no ALERTMANAGER_URL, then it warns against the shipped route', async () => {
    const instance = await run({ DEDUP_WINDOW: '5m' });
    await logged(instance, /DEDUP_WINDOW \(5m\) is not shorter than repeat_interval \(3m\) of the shipped route/);
  });
});
