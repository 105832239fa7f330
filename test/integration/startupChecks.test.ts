import { BIN } from '../../harness/ownedProcess';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, waitFor } from '../../harness/polling';
import { startAlertmanager, type RunningAlertmanager } from '../../harness/startAlertmanager';
import { startAlertscale, type RunningAlertscale } from '../../harness/startAlertscale';

const started: RunningAlertscale[] = [];
let alertmanager: RunningAlertmanager;

async function run(env: Record<string, string>): Promise<RunningAlertscale> {
  const instance = await startAlertscale({ WEBHOOK_TOKEN: 't0ken', ...env });
  started.push(instance);
  return instance;
}

const logged = (instance: RunningAlertscale, pattern: RegExp) => waitFor(`a log line matching ${pattern}`, async () => pattern.test(instance.output()), 10_000, 100);

// The real Alertmanager's route (harness/startAlertmanager.ts): root → alertscale's /webhook, group_interval 2s, repeat_interval 1h.
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

/** Two real Alertmanagers clustered on loopback, both running the shipped alertmanager.yml (1m / 3m). */
async function startShippedCluster(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'alertscale-am-cluster-'));
  writeFileSync(join(dir, 'token'), 't0ken');
  const shipped = readFileSync(join(__dirname, '../../alertmanager/alertmanager.yml'), 'utf8').replace('/run/secrets/alertscale_webhook_token', join(dir, 'token'));
  writeFileSync(join(dir, 'alertmanager.yml'), shipped);
  const [web1, web2, gossip1, gossip2] = [await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort()];
  const peer = (web: number, gossip: number, name: string, join_?: number): ChildProcess =>
    spawn(
      BIN.alertmanager,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, name)}`,
        `--web.listen-address=127.0.0.1:${web}`,
        `--cluster.listen-address=127.0.0.1:${gossip}`,
        `--cluster.advertise-address=127.0.0.1:${gossip}`,
        ...(join_ ? [`--cluster.peer=127.0.0.1:${join_}`] : []),
      ],
      { stdio: 'ignore' },
    );
  const children = [peer(web1, gossip1, 'one'), peer(web2, gossip2, 'two', gossip1)];
  const stop = async () => {
    // SIGKILL: a clustered Alertmanager spends 10 s leaving the gossip on SIGTERM, and this one keeps nothing.
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve).kill('SIGKILL')) : Promise.resolve())));
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${web1}`;
  try {
    await waitFor(
      'a two-peer Alertmanager cluster',
      async () => {
        const status = (await (await fetch(`${url}/api/v2/status`)).json()) as { cluster?: { peers?: unknown[] } };
        return (status.cluster?.peers?.length ?? 0) === 2;
      },
      20_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

describe('startup checks against a real HA Alertmanager pair', () => {
  test("when DEDUP_WINDOW covers group_interval but not the second peer's delay, then it says so, naming the cluster", async () => {
    const cluster = await startShippedCluster();
    try {
      const instance = await run({ ALERTMANAGER_URL: cluster.url, DEDUP_WINDOW: '20s' });
      await logged(
        instance,
        /"level":"error".*DEDUP_WINDOW \(20s\) is shorter than group_interval \(15s\) plus 1 × the 15s peer timeout of its HA cluster \(2 peers\) of the route .*scale_service=~.* → alertscale: .*at least 30s/,
      );
    } finally {
      await Promise.all(started.splice(0).map((instance) => instance.stop()));
      await cluster.stop();
    }
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
    expect(body).toEqual({
      status: 'degraded',
      degraded: [
        expect.stringMatching(
          new RegExp(
            `^scale-down guard: Alertmanager at ${nobody} does not answer \\(cannot reach ${nobody}/api/v2/status: ECONNREFUSED\\); a scale-down cannot be confirmed safe`,
          ),
        ),
      ],
    });
  });

  test('when Docker does not answer, then a warning at start names DOCKER_HOST and /readyz is 503', async () => {
    const instance = await run({ DOCKER_HOST: '/nonexistent/docker.sock' });
    await logged(instance, /"event":"startup_warning".*Docker at unix:\/\/\/nonexistent\/docker.sock does not answer/);
    expect((await fetch(`${instance.url}/readyz`)).status).toBe(503);
  });

  test('when DEDUP_WINDOW is above the shipped repeat_interval and there is no ALERTMANAGER_URL, then it warns against the shipped route', async () => {
    const instance = await run({ DEDUP_WINDOW: '5m' });
    await logged(instance, /DEDUP_WINDOW \(5m\) is not shorter than repeat_interval \(1m\) of the shipped route/);
  });
});
