/**
 * alertscale with AMQP_URL killed with SIGKILL in the middle of a burst, then
 * started again (same port, as a restarted container would be). The sender
 * behaves like Alertmanager: notifications of one group go one after the
 * other, and a 5xx or a failed connection is retried.
 */
import { DockerFaultProxy } from './support/dockerFaultProxy';
import { stateProblems } from './support/stateProblems';
import { createTestVhost, type TestVhost } from './support/rabbitVhost';
import { histogram, reportResult } from './support/report';
import { inspectService } from '../../harness/docker';
import { findFreePort, waitFor, sleep } from '../../harness/polling';
import { recentDecisions, startAlertscale, type RunningAlertscale } from '../../harness/startAlertscale';
import { deliverLikeAlertmanager, intentKeyOf, uniqueNotification } from '../../harness/notifications';
import { createParkedServices } from '../../harness/swarmServices';
import { useTestServices } from '../support/useTestServices';

jest.setTimeout(120_000);

const PREFIX = 'asrel-crash';
const TOKEN = 'reliability-crash-token';
const LABELS = { 'alertscale.enabled': 'true', 'alertscale.max': '30', 'alertscale.cooldown.up': '0s' };
const services = useTestServices(PREFIX);
const created = services.names;
const running: RunningAlertscale[] = [];
let vhost: TestVhost;
let proxy: DockerFaultProxy;

beforeAll(async () => {
  vhost = await createTestVhost('asrel-crash');
  proxy = await DockerFaultProxy.start();
});

afterAll(async () => {
  for (const instance of running) if (instance.child.exitCode === null && instance.child.signalCode === null) await instance.stop();
  await proxy?.close();
  await vhost?.remove();
});

async function ready(url: string): Promise<true | undefined> {
  return (await fetch(`${url}/readyz`).then(
    (response) => response.ok,
    () => false,
  ))
    ? true
    : undefined;
}

describe('alertscale (AMQP_URL) killed mid-burst', () => {
  test('when it is killed with SIGKILL in the middle of a burst and restarted, then every acknowledged intent is decided after the restart, none is applied twice, and every service ends consistent', async () => {
    const SERVICES = 10;
    const PER_SERVICE = 5;
    const KILL_AFTER_ACKS = 18;
    const services = await createParkedServices(PREFIX, SERVICES, LABELS, created);
    const port = await findFreePort();
    // Docker answers 20 ms late per chunk: decisions take long enough that the kill finds some in flight.
    proxy.latencyMs = 20;
    const env = { WEBHOOK_TOKEN: TOKEN, AMQP_URL: vhost.url, INTENT_TTL: '120s', DOCKER_HOST: proxy.dockerHost, PORT: String(port) };
    const first = await startAlertscale(env);
    running.push(first);
    const url = first.url;
    await waitFor('alertscale to be ready on the broker', () => ready(url), 30_000, 100);

    let acked = 0;
    let killedAt: { acked: number; appliedAtKill: number; readyAfterKill?: number } | undefined;
    const killer = (async () => {
      await waitFor('enough acknowledged intents', async () => (acked >= KILL_AFTER_ACKS ? true : undefined), 60_000, 5);
      first.child.kill('SIGKILL');
      const snapshots = await Promise.all(services.map((service) => inspectService(service)));
      killedAt = { acked, appliedAtKill: snapshots.reduce((sum, snapshot) => sum + snapshot.replicas - 1, 0) };
      killedAt.readyAfterKill = await vhost.readyCount('alertscale.intents');
      await sleep(300);
      const second = await startAlertscale(env);
      running.push(second);
      return second;
    })();

    const perService = await Promise.all(
      services.map(async (service) => {
        const keys: string[] = [];
        const finals: Array<number | string> = [];
        let failedAttempts = 0;
        for (let index = 0; index < PER_SERVICE; index += 1) {
          const payload = uniqueNotification(service);
          keys.push(intentKeyOf(payload));
          const { attempts, final } = await deliverLikeAlertmanager(() => url, TOKEN, payload, { retryPauseMs: 100, deadlineMs: 60_000 });
          failedAttempts += attempts.length - 1;
          finals.push(final.status);
          if (final.status === 202) acked += 1;
        }
        return { service, keys, finals, failedAttempts };
      }),
    );
    const second = await killer;
    proxy.latencyMs = 0;
    const expected = 1 + PER_SERVICE;
    await waitFor(
      'every service to reach its expected replicas and the queue to drain',
      async () => {
        if ((await vhost.readyCount('alertscale.intents')) !== 0) return undefined;
        const snapshots = await Promise.all(services.map((service) => inspectService(service)));
        return snapshots.every((snapshot) => snapshot.replicas >= expected) ? true : undefined;
      },
      60_000,
      500,
    ).catch(() => undefined);
    await sleep(1000); // a double application would show up now

    let lost = 0;
    let wronglyChanged = 0;
    const problems: string[] = [];
    for (const { service, keys } of perService) {
      const snapshot = await inspectService(service);
      lost += Math.max(0, expected - snapshot.replicas);
      wronglyChanged += Math.max(0, snapshot.replicas - expected);
      problems.push(...stateProblems(snapshot, { replicas: expected, key: keys[PER_SERVICE - 1], from: expected - 1, action: 'up' }).map((problem) => `${service}: ${problem}`));
    }
    const dead = await vhost.readyCount('alertscale.intents.dead');
    const afterRestart = await recentDecisions(second.url);
    reportResult({
      fault: 'sigkill-mid-burst-amqp',
      injected: `SIGKILL after ${killedAt?.acked} of ${SERVICES * PER_SERVICE} notifications were acknowledged (${killedAt?.appliedAtKill} applied at that moment, ${killedAt?.readyAfterKill} ready on the queue just after), restart 0.3 s later`,
      load: `${SERVICES} services × ${PER_SERVICE} notifications, sequential per service, retried on 5xx/connection errors`,
      lost,
      wronglyChanged,
      figures: {
        finalAnswers: histogram(perService.flatMap((entry) => entry.finals)),
        failedAttemptsRetried: perService.reduce((sum, entry) => sum + entry.failedAttempts, 0),
        decisionsAfterRestart: histogram(afterRestart.map((decision) => decision.outcome)),
        deadLettered: dead ?? 0,
        inconsistentServices: problems.length,
      },
    });
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(perService.every((entry) => entry.finals.every((status) => status === 202))).toBe(true);
    expect(killedAt && killedAt.appliedAtKill < SERVICES * PER_SERVICE).toBe(true);
    expect(problems).toEqual([]);
    expect(dead ?? 0).toBe(0);
    // AMQP_URL carries the broker password: it never reaches the log.
    expect(first.output() + second.output()).not.toContain(new URL(vhost.url).password || 'guest:guest');
  });
});
