/**
 * Docker unreachable while notifications arrive. The fault is injected on
 * alertscale's own path to Docker: alertscale runs as a process with
 * DOCKER_HOST=tcp://127.0.0.1:<proxy>, and the proxy in front of
 * /var/run/docker.sock refuses, resets or black-holes connections on command.
 * The shared dockerd keeps running for everyone else on this machine.
 */
import { DockerFaultProxy } from './support/dockerFaultProxy';
import { postDuringOutage, waitUntilReady } from './support/postDuringOutage';
import { stateProblems } from './support/stateProblems';
import { createTestVhost, type TestVhost } from './support/rabbitVhost';
import { histogram, reportResult, seededRandom } from './support/report';
import { inspectService } from '../../harness/docker';
import { waitFor, sleep } from '../../harness/polling';
import { recentDecisions, startAlertscale, type RunningAlertscale } from '../../harness/startAlertscale';
import { deliverLikeAlertmanager, intentKeyOf, post, uniqueNotification } from '../../harness/notifications';
import { createParkedServices } from '../../harness/swarmServices';
import { useTestServices } from '../support/useTestServices';

jest.setTimeout(120_000);

const PREFIX = 'asrel-docker';
const TOKEN = 'reliability-docker-outage-token';
const LABELS = { 'alertscale.enabled': 'true', 'alertscale.max': '20', 'alertscale.cooldown.up': '0s', 'alertscale.cooldown.down': '0s' };
const services = useTestServices(PREFIX);
const created = services.names;
const running: RunningAlertscale[] = [];
let proxy: DockerFaultProxy;
let inProcess: RunningAlertscale;
let vhost: TestVhost | undefined;

async function readyz(url: string): Promise<{ status: number; body: { reasons?: string[] } }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as { reasons?: string[] } };
}

beforeAll(async () => {
  proxy = await DockerFaultProxy.start();
  inProcess = await startAlertscale({ WEBHOOK_TOKEN: TOKEN, DOCKER_HOST: proxy.dockerHost, DOCKER_RETRY_DEADLINE: '1s' });
  running.push(inProcess);
});

afterAll(async () => {
  await proxy?.restore();
  await Promise.all(running.map((instance) => instance.stop()));
  await proxy?.close();
  await vhost?.remove();
});

describe('Docker unreachable (fault on alertscale’s own path to Docker)', () => {
  test('when Docker refuses or drops every connection while notifications arrive, then alertscale stays up, /readyz is 503 naming Docker, the webhook answers 503, nothing changes, and once Docker is back the next notification scales', async () => {
    const [service] = await createParkedServices(PREFIX, 1, LABELS, created);
    const name = service as string;
    expect((await readyz(inProcess.url)).status).toBe(200);
    const first = uniqueNotification(name);
    const baseline = await post(inProcess.url, TOKEN, first);
    expect(baseline).toMatchObject({ status: 202, body: { decisions: [expect.objectContaining({ outcome: 'scaled', from: 1, to: 2 })] } });

    const statuses: Array<number | string> = [];
    const outageReadyz: string[] = [];
    for (const mode of ['refuse', 'reset'] as const) {
      await proxy.cut(mode);
      const ready = await readyz(inProcess.url);
      expect(ready.status).toBe(503);
      expect(ready.body.reasons?.join(' ')).toMatch(/^docker: Docker ping of \(engine\) failed/);
      outageReadyz.push(ready.body.reasons?.join(' ') ?? '');
      const answers = await postDuringOutage(inProcess, TOKEN, name, 5);
      statuses.push(...answers.map((answer) => answer.status));
      for (const answer of answers) expect(answer.body?.message).toMatch(/Docker did not answer/);
      await proxy.restore();
      await waitUntilReady(inProcess, 10_000);
      const during = await inspectService(name);
      expect(stateProblems(during, { replicas: 2, key: intentKeyOf(first), from: 1, action: 'up' })).toEqual([]);
    }

    const next = uniqueNotification(name);
    const after = await post(inProcess.url, TOKEN, next);
    expect(after).toMatchObject({ status: 202, body: { decisions: [expect.objectContaining({ outcome: 'scaled', from: 2, to: 3 })] } });
    const final = await inspectService(name);
    expect(stateProblems(final, { replicas: 3, key: intentKeyOf(next), from: 2, action: 'up' })).toEqual([]);
    reportResult({
      fault: 'docker-refused-in-process',
      injected: 'proxy refuses (ECONNREFUSED), then accepts and drops (socket hang up), every Docker connection: 2 outages',
      load: '10 notifications during the outages',
      lost: 0,
      wronglyChanged: final.replicas - 3,
      figures: { answers: histogram(statuses), readyz: 503, processAlive: inProcess.child.exitCode === null, afterRecovery: 'scaled 2→3' },
    });
  });

  test('when the path to Docker is cut and restored at random moments during a stream of notifications, then after Alertmanager-style retries every notification is applied exactly once and every service ends consistent', async () => {
    const SERVICES = 6;
    const CHAOS_MS = 8000;
    const services = await createParkedServices(PREFIX, SERVICES, { ...LABELS, 'alertscale.max': '100' }, created);
    const random = seededRandom(20261128);
    // Docker answers 25 ms late per chunk, so cuts land inside inspect→update windows.
    proxy.latencyMs = 25;
    const chaosUntil = Date.now() + CHAOS_MS;
    const cutsBefore = proxy.stats.cuts;
    const destroyedBefore = proxy.stats.destroyedInFlight;
    const chaos = (async () => {
      while (Date.now() < chaosUntil) {
        await sleep(100 + random() * 400);
        await proxy.cut(random() < 0.5 ? 'refuse' : 'reset');
        await sleep(150 + random() * 1200);
        await proxy.restore();
      }
    })();
    const started = Date.now();
    const perService = await Promise.all(
      services.map(async (service) => {
        const keys: string[] = [];
        const outcomes: string[] = [];
        let failedAttempts = 0;
        while (Date.now() < chaosUntil) {
          const payload = uniqueNotification(service);
          keys.push(intentKeyOf(payload));
          const { attempts, final } = await deliverLikeAlertmanager(() => inProcess.url, TOKEN, payload, { retryPauseMs: 100, deadlineMs: 60_000 });
          failedAttempts += attempts.length - 1;
          outcomes.push(final.status === 202 ? String(final.body?.decisions?.[0]?.outcome) : `http_${final.status}`);
        }
        return { service, keys, outcomes, failedAttempts };
      }),
    );
    await chaos;
    await proxy.restore();
    proxy.latencyMs = 0;

    let lost = 0;
    let wronglyChanged = 0;
    const problems: string[] = [];
    for (const { service, keys, outcomes } of perService) {
      const expected = 1 + keys.length;
      const snapshot = await inspectService(service);
      lost += Math.max(0, expected - snapshot.replicas);
      wronglyChanged += Math.max(0, snapshot.replicas - expected);
      problems.push(...stateProblems(snapshot, { replicas: expected, key: keys[keys.length - 1], from: expected - 1, action: 'up' }).map((problem) => `${service}: ${problem}`));
      for (const outcome of outcomes) expect(['scaled', 'duplicate']).toContain(outcome);
    }
    const outcomes = perService.flatMap((entry) => entry.outcomes);
    reportResult({
      fault: 'docker-flapping-path-in-process',
      injected: `${proxy.stats.cuts - cutsBefore} random cuts (refuse or drop, 150–1350 ms each, 100–500 ms apart), ${proxy.stats.destroyedInFlight - destroyedBefore} Docker connections destroyed mid-call`,
      load: `${perService.reduce((sum, entry) => sum + entry.keys.length, 0)} notifications to ${SERVICES} services over ${CHAOS_MS / 1000} s, sequential per service, retried on 5xx`,
      lost,
      wronglyChanged,
      figures: {
        failedAttemptsRetried: perService.reduce((sum, entry) => sum + entry.failedAttempts, 0),
        finalOutcomes: histogram(outcomes),
        inconsistentServices: problems.length,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
    });
    expect(problems).toEqual([]);
    expect(lost + wronglyChanged).toBe(0);
  });

  test('when Docker accepts connections but never answers, then /readyz and the webhook answer 503 within the Docker client timeout and nothing changes', async () => {
    const [service] = await createParkedServices(PREFIX, 1, LABELS, created);
    const name = service as string;
    const before = await inspectService(name);
    await proxy.cut('hang');
    const started = Date.now();
    const timed = async <T>(work: Promise<T>) => {
      const value = await work;
      return { value, seconds: (Date.now() - started) / 1000 };
    };
    const [ready, webhook] = await Promise.all([timed(readyz(inProcess.url)), timed(post(inProcess.url, TOKEN, uniqueNotification(name)))]);
    await proxy.restore();
    expect(ready.value.status).toBe(503);
    expect(webhook.value.status).toBe(503);
    expect(ready.seconds).toBeLessThan(15);
    expect(webhook.seconds).toBeLessThan(15);
    const after = await inspectService(name);
    expect(after.version).toBe(before.version);
    reportResult({
      fault: 'docker-hang-in-process',
      injected: 'proxy accepts Docker connections and never answers (DOCKER_RETRY_DEADLINE=1s)',
      load: '1 notification + 1 /readyz during the hang',
      lost: 0,
      wronglyChanged: after.replicas - before.replicas,
      figures: { readyzSeconds: ready.seconds, webhookSeconds: webhook.seconds, answers: [ready.value.status, webhook.value.status] },
    });
  });

  test('when Docker is unreachable in AMQP mode, then the webhook still answers 202, the intents stay queued (requeued), /readyz is 503, and once Docker is back each is applied exactly once and the next notification scales', async () => {
    vhost = await createTestVhost('asrel-docker');
    const amqp = await startAlertscale({ WEBHOOK_TOKEN: TOKEN, DOCKER_HOST: proxy.dockerHost, DOCKER_RETRY_DEADLINE: '1s', AMQP_URL: vhost.url, INTENT_TTL: '60s' });
    running.push(amqp);
    await waitFor('alertscale (AMQP) to be ready', async () => ((await readyz(amqp.url)).status === 200 ? true : undefined), 30_000, 100);
    const [service] = await createParkedServices(PREFIX, 1, LABELS, created);
    const name = service as string;

    await proxy.cut('refuse');
    const ready = await readyz(amqp.url);
    expect(ready.status).toBe(503);
    expect(ready.body.reasons?.join(' ')).toMatch(/docker:/);
    const payloads = [uniqueNotification(name), uniqueNotification(name), uniqueNotification(name)];
    const answers = [];
    for (const payload of payloads) answers.push(await post(amqp.url, TOKEN, payload));
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
    await sleep(3000);
    // All three are still on the queue (ready, or delivered and being retried), none applied.
    const queuedDuringOutage = await waitFor(
      'the 3 intents to be on the queue',
      async () => {
        const depth = await vhost?.queueDepth('alertscale.intents');
        return depth && depth.ready + depth.unacked === 3 ? depth : undefined;
      },
      8000,
      250,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${amqp.output()}`);
    });
    expect((await inspectService(name)).replicas).toBe(1);
    await proxy.restore();

    await waitFor(`${name} to reach 4 replicas`, async () => ((await inspectService(name)).replicas >= 4 ? true : undefined), 30_000, 200);
    await waitFor('the intent queue to drain', async () => ((await vhost?.readyCount('alertscale.intents')) === 0 ? true : undefined), 30_000, 250);
    const dead = await vhost.readyCount('alertscale.intents.dead');
    const next = uniqueNotification(name);
    expect((await post(amqp.url, TOKEN, next)).status).toBe(202);
    await waitFor(`${name} to reach 5 replicas`, async () => ((await inspectService(name)).replicas >= 5 ? true : undefined), 30_000, 200);
    await sleep(500);
    const final = await inspectService(name);
    expect(stateProblems(final, { replicas: 5, key: intentKeyOf(next), from: 4, action: 'up' })).toEqual([]);
    expect(dead ?? 0).toBe(0);
    const decisions = (await recentDecisions(amqp.url, 100)).filter((decision) => decision.service === name);
    reportResult({
      fault: 'docker-refused-amqp',
      injected: 'proxy refuses every Docker connection for ~4 s (DOCKER_RETRY_DEADLINE=1s, requeue delay 1s)',
      load: '3 notifications during the outage, 1 after',
      lost: Math.max(0, 5 - final.replicas),
      wronglyChanged: Math.max(0, final.replicas - 5),
      figures: {
        webhookDuringOutage: histogram(answers.map((answer) => answer.status)),
        queuedDuringOutage,
        deadLettered: dead ?? 0,
        decisions: histogram(decisions.map((decision) => decision.outcome)),
      },
    });
  });
});
