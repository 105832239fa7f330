/**
 * SIGTERM under load: in-flight requests and decisions finish, then exit 0.
 * Docker answers through a proxy that adds latency, so every decision takes a
 * few hundred ms and SIGTERM always finds some in flight.
 */
import { DockerFaultProxy } from './support/dockerFaultProxy';
import { stateProblems } from './support/stateProblems';
import { createTestVhost, type TestVhost } from './support/rabbitVhost';
import { histogram, reportResult } from './support/report';
import { inspectService } from '../../harness/docker';
import { findFreePort, waitFor, sleep } from '../../harness/polling';
import { recentDecisions, startAlertscale, type RunningAlertscale } from '../../harness/startAlertscale';
import { deliverLikeAlertmanager, intentKeyOf, uniqueNotification, type Delivery } from '../../harness/notifications';
import { createParkedServices } from '../../harness/swarmServices';
import { useTestServices } from '../support/useTestServices';

jest.setTimeout(120_000);

const PREFIX = 'asrel-term';
const TOKEN = 'reliability-sigterm-token';
const LABELS = { 'alertscale.enabled': 'true', 'alertscale.max': '100', 'alertscale.cooldown.up': '0s' };
const services = useTestServices(PREFIX);
const created = services.names;
const running: RunningAlertscale[] = [];
let proxy: DockerFaultProxy;
let vhost: TestVhost | undefined;

beforeAll(async () => {
  proxy = await DockerFaultProxy.start();
});

afterAll(async () => {
  for (const instance of running) if (instance.child.exitCode === null && instance.child.signalCode === null) await instance.stop();
  await proxy?.close();
  await vhost?.remove();
});

interface Attempt extends Delivery {
  startedAt: number;
  endedAt: number;
}

/** Per service, one notification after the other (retrying 5xx and failed connections) until `until()` says stop. */
function sendUntil(services: string[], url: string, until: () => boolean, attempts: Attempt[]) {
  return Promise.all(
    services.map(async (service) => {
      const keys: string[] = [];
      while (!until()) {
        const payload = uniqueNotification(service);
        keys.push(intentKeyOf(payload));
        const startedAt = Date.now();
        const { attempts: tries } = await deliverLikeAlertmanager(() => url, TOKEN, payload, { retryPauseMs: 100, deadlineMs: 60_000 });
        // Timing per attempt is approximate for retries; the first attempt's start is what matters for "in flight".
        tries.forEach((delivery, index) => attempts.push({ ...delivery, startedAt: index === 0 ? startedAt : Number.NaN, endedAt: Date.now() }));
      }
      return { service, keys };
    }),
  );
}

function exitOf(instance: RunningAlertscale): Promise<{ code: number | null; at: number }> {
  return new Promise((resolve) => {
    if (instance.child.exitCode !== null) resolve({ code: instance.child.exitCode, at: Date.now() });
    else instance.child.once('exit', (code) => resolve({ code, at: Date.now() }));
  });
}

describe('SIGTERM under load', () => {
  test('when SIGTERM arrives while notifications are being decided in-process, then every request in flight is answered 202, the process exits 0, and after a restart every notification is applied exactly once', async () => {
    const SERVICES = 8;
    const services = await createParkedServices(PREFIX, SERVICES, LABELS, created);
    proxy.latencyMs = 40;
    const env = { WEBHOOK_TOKEN: TOKEN, DOCKER_HOST: proxy.dockerHost, PORT: String(await findFreePort()) };
    const first = await startAlertscale(env);
    running.push(first);
    let stopSending = false;
    const attempts: Attempt[] = [];
    const sending = sendUntil(services, first.url, () => stopSending, attempts);
    await sleep(1500);
    const exited = exitOf(first);
    const termAt = Date.now();
    first.child.kill('SIGTERM');
    const exit = await exited;
    const second = await startAlertscale(env);
    running.push(second);
    await sleep(1500);
    stopSending = true;
    const perService = await sending;
    proxy.latencyMs = 0;

    // In flight: sent at least 20 ms before SIGTERM (so parsed by the server) and not answered by then.
    const inFlight = attempts.filter((attempt) => attempt.startedAt <= termAt - 20 && attempt.endedAt > termAt);
    let lost = 0;
    let wronglyChanged = 0;
    const problems: string[] = [];
    for (const { service, keys } of perService) {
      const snapshot = await inspectService(service);
      lost += Math.max(0, 1 + keys.length - snapshot.replicas);
      wronglyChanged += Math.max(0, snapshot.replicas - 1 - keys.length);
      problems.push(
        ...stateProblems(snapshot, { replicas: 1 + keys.length, key: keys[keys.length - 1], from: keys.length, action: 'up' }).map((problem) => `${service}: ${problem}`),
      );
    }
    reportResult({
      fault: 'sigterm-under-load-in-process',
      injected: 'SIGTERM after 1.5 s of load, restart on the same port',
      load: `${perService.reduce((sum, entry) => sum + entry.keys.length, 0)} notifications, ${SERVICES} concurrent senders, Docker +40 ms per chunk`,
      lost,
      wronglyChanged,
      figures: {
        exitCode: exit.code,
        secondsToExit: (exit.at - termAt) / 1000,
        inFlightAtSigterm: inFlight.length,
        inFlightAnswers: histogram(inFlight.map((attempt) => attempt.status)),
        allAttempts: histogram(attempts.map((attempt) => attempt.status)),
        inconsistentServices: problems.length,
      },
    });
    expect(exit.code).toBe(0);
    // Keep-alive connections must not hold the process until SHUTDOWN_TIMEOUT (25 s).
    expect(exit.at - termAt).toBeLessThan(5000);
    expect(first.output()).toMatch(/"event":"stopped"/);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.every((attempt) => attempt.status === 202)).toBe(true);
    expect(problems).toEqual([]);
  });

  test('when SIGTERM arrives while intents are being decided from RabbitMQ, then in-flight decisions finish and are acked, the process exits 0, nothing acknowledged is left unacked or lost, and none is applied twice', async () => {
    vhost = await createTestVhost('asrel-term');
    const SERVICES = 8;
    const PER_SERVICE = 6;
    const services = await createParkedServices(PREFIX, SERVICES, LABELS, created);
    proxy.latencyMs = 40;
    const env = { WEBHOOK_TOKEN: TOKEN, DOCKER_HOST: proxy.dockerHost, AMQP_URL: vhost.url, INTENT_TTL: '120s', PORT: String(await findFreePort()) };
    const first = await startAlertscale(env);
    running.push(first);
    await waitFor('alertscale to be ready on the broker', async () => ((await fetch(`${first.url}/readyz`)).ok ? true : undefined), 30_000, 100);

    // A burst: every notification is acknowledged (stored) long before it is decided.
    const payloads = services.flatMap((service) => Array.from({ length: PER_SERVICE }, () => ({ service, payload: uniqueNotification(service) })));
    const answers = await Promise.all(payloads.map(({ payload }) => deliverLikeAlertmanager(() => first.url, TOKEN, payload, { deadlineMs: 30_000 })));
    expect(answers.every((answer) => answer.final.status === 202 && answer.attempts.length === 1)).toBe(true);
    await sleep(400);
    const exited = exitOf(first);
    const termAt = Date.now();
    first.child.kill('SIGTERM');
    const exit = await exited;

    // Stopped: every intent is either applied or back on the queue, ready for another instance.
    const snapshots = await Promise.all(services.map((service) => inspectService(service)));
    const appliedAtExit = snapshots.reduce((sum, snapshot) => sum + snapshot.replicas - 1, 0);
    const readyAtExit = await vhost.readyCount('alertscale.intents');
    const second = await startAlertscale(env);
    running.push(second);
    const expected = 1 + PER_SERVICE;
    await waitFor(
      'every service to reach its expected replicas',
      async () => {
        const all = await Promise.all(services.map((service) => inspectService(service)));
        return all.every((snapshot) => snapshot.replicas >= expected) ? true : undefined;
      },
      60_000,
      250,
    ).catch(() => undefined);
    await sleep(1000);
    proxy.latencyMs = 0;

    let lost = 0;
    let wronglyChanged = 0;
    const problems: string[] = [];
    for (const service of services) {
      const snapshot = await inspectService(service);
      const keys = payloads.filter((entry) => entry.service === service).map((entry) => intentKeyOf(entry.payload));
      lost += Math.max(0, expected - snapshot.replicas);
      wronglyChanged += Math.max(0, snapshot.replicas - expected);
      problems.push(...stateProblems(snapshot, { replicas: expected, from: expected - 1, action: 'up' }).map((problem) => `${service}: ${problem}`));
      if (!keys.includes(snapshot.labels['alertscale.state.key'] ?? '')) problems.push(`${service}: state.key is not one of its notifications`);
    }
    const decisionsAfter = await recentDecisions(second.url);
    reportResult({
      fault: 'sigterm-under-load-amqp',
      injected: `SIGTERM 0.4 s after a burst of ${payloads.length} acknowledged intents, restart`,
      load: `${SERVICES} services × ${PER_SERVICE} intents, Docker +40 ms per chunk`,
      lost,
      wronglyChanged,
      figures: {
        exitCode: exit.code,
        secondsToExit: (exit.at - termAt) / 1000,
        appliedAtExit,
        readyOnQueueAtExit: readyAtExit,
        decisionsAfterRestart: histogram(decisionsAfter.map((decision) => decision.outcome)),
        inconsistentServices: problems.length,
      },
    });
    expect(exit.code).toBe(0);
    expect(appliedAtExit).toBeGreaterThan(0);
    expect(appliedAtExit + (readyAtExit ?? -1)).toBe(payloads.length);
    expect(problems).toEqual([]);
  });
});
