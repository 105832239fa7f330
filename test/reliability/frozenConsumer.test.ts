/**
 * Issue 10, item 7, on the real RabbitMQ and Swarm: an alertscale consumer frozen
 * (SIGSTOP) while it holds prefetched intents. With INTENT_TTL 30 s alertscale asks
 * for a 5 s heartbeat (TTL/6) and a prefetch of 3, so the broker must notice within
 * 15 s and hand what the frozen one held to the healthy one, within the TTL.
 *
 * Both scenarios must wait out the TTL while a consumer is frozen, so they run side
 * by side, each on its own vhost, Docker proxy and processes: the suite waits the
 * TTL once instead of twice.
 */
import { deriveConsumerLimits } from '../../src/adapters/queue/rabbitmq/deriveConsumerLimits';
import type { RunningAlertscale } from '../../harness/startAlertscale';
import { useReliabilityHarness } from './support/harness';
import { post, uniqueNotification } from '../../harness/notifications';
import { reportResult } from './support/report';
import { waitFor, sleep } from '../../harness/polling';
import { inspectService } from '../../harness/docker';

jest.setTimeout(240_000);

const harness = useReliabilityHarness('asrel-frozen');
const { token } = harness;
const LABELS = { 'alertscale.enabled': 'true', 'alertscale.max': '10', 'alertscale.cooldown.up': '0s' };
const TTL_MS = 30_000;
/** How far past INTENT_TTL a frozen consumer is resumed: every intent it holds was received before it froze, so any margin makes them all stale. */
const PAST_TTL_MS = 1000;
const LIMITS = deriveConsumerLimits(TTL_MS, 5000);
const QUEUE = 'alertscale.intents';

async function ready(instance: RunningAlertscale): Promise<true | undefined> {
  return (await fetch(`${instance.url}/readyz`).then(
    (response) => response.ok,
    () => false,
  ))
    ? true
    : undefined;
}

async function replicasOf(services: string[]): Promise<number[]> {
  return Promise.all(services.map(async (service) => (await inspectService(service)).replicas));
}

/** Writes the consumer refused because their intent passed INTENT_TTL before the Docker write. */
function refusedStaleWrites(instance: RunningAlertscale): number {
  return (instance.output().match(/passed INTENT_TTL .* before its Docker write/g) ?? []).length;
}

/** A consumer frozen holding prefetched intents beside a healthy one, resumed once all it held is past the TTL. */
async function freezeBesideHealthy() {
  const vhost = await harness.vhost();
  const services = await Promise.all(Array.from({ length: 6 }, () => harness.parkedService(LABELS)));
  const env = { AMQP_URL: vhost.url, INTENT_TTL: `${TTL_MS / 1000}s` };
  // The one to freeze answers slowly: its intents are still being decided when it stops.
  const slowDocker = await harness.extraProxy();
  slowDocker.latencyMs = 2000;
  const frozen = await harness.start(env, slowDocker);
  await waitFor('the first consumer to be ready', () => ready(frozen), 30_000, 100);
  const answers = await Promise.all(services.map((service) => post(frozen.url, token, uniqueNotification(service))));
  expect(answers.map((answer) => answer.status)).toEqual(services.map(() => 202));
  const frozenAt = Date.now();
  frozen.child.kill('SIGSTOP');

  const healthy = await harness.start(env);
  await waitFor('the healthy consumer to be ready', () => ready(healthy), 30_000, 100);
  await waitFor('the broker to drop the frozen consumer', async () => ((await vhost.consumerCount(QUEUE)) === 1 ? true : undefined), TTL_MS, 250);
  const noticedAfterMs = Date.now() - frozenAt;
  await waitFor('every intent applied by the healthy consumer', async () => ((await replicasOf(services)).every((count) => count === 2) ? true : undefined), TTL_MS, 250);
  const allAppliedAfterMs = Date.now() - frozenAt;

  // Resume it only once everything it held is past INTENT_TTL: it must write none of it.
  await sleep(Math.max(0, frozenAt + TTL_MS + PAST_TTL_MS - Date.now()));
  slowDocker.latencyMs = 0;
  frozen.child.kill('SIGCONT');
  await waitFor('the resumed consumer to reconnect', () => ready(frozen), 30_000, 250);
  // Nothing announces a write that does not happen: give one the time it would take to land.
  await sleep(2000);
  return { services, noticedAfterMs, allAppliedAfterMs, afterResume: await replicasOf(services), resumedWritesRefused: refusedStaleWrites(frozen) };
}

/**
 * The age check alone: a consumer frozen past the TTL with nobody else to take its
 * intents. The first waits on Docker (whose call times out on resume), the second
 * waits behind it for the same service: resumed, it inspects, decides `scaled`, and
 * only the check keeps it from Docker.
 */
async function freezeAlone() {
  const vhost = await harness.vhost();
  const lonely = await harness.parkedService(LABELS);
  const slowDocker = await harness.extraProxy();
  slowDocker.latencyMs = 2000;
  const alone = await harness.start({ AMQP_URL: vhost.url, INTENT_TTL: `${TTL_MS / 1000}s` }, slowDocker);
  await waitFor('the lonely consumer to be ready', () => ready(alone), 30_000, 100);
  const answers = await Promise.all([post(alone.url, token, uniqueNotification(lonely)), post(alone.url, token, uniqueNotification(lonely))]);
  expect(answers.map((answer) => answer.status)).toEqual([202, 202]);
  await sleep(200);
  const frozenAt = Date.now();
  alone.child.kill('SIGSTOP');
  await sleep(TTL_MS + PAST_TTL_MS);
  slowDocker.latencyMs = 0;
  alone.child.kill('SIGCONT');
  await waitFor('the resumed consumer to reconnect', () => ready(alone), 30_000, 250);
  await waitFor('both stale intents in the dead-letter queue', async () => ((await vhost.readyCount(`${QUEUE}.dead`)) === 2 ? true : undefined), 15_000, 250);
  // The second intent is decided right after the resume: its write is either refused (logged) or made (seen on the service).
  await waitFor('the stale write refused or made', async () => refusedStaleWrites(alone) > 0 || (await inspectService(lonely)).replicas !== 1, 15_000, 100);
  return { lonelyReplicas: (await inspectService(lonely)).replicas, lonelyWriteRefused: refusedStaleWrites(alone), lonelyFrozenMs: Date.now() - frozenAt };
}

describe('a frozen intent consumer (SIGSTOP) beside a healthy one', () => {
  test('when it freezes holding prefetched intents, then the broker notices within 3 heartbeats, the healthy consumer applies each once, and once resumed past the TTL it applies nothing', async () => {
    expect(LIMITS).toEqual({ heartbeatSeconds: 5, noticedWithinMs: 15_000, prefetch: 3 });
    const [beside, alone] = await Promise.all([freezeBesideHealthy(), freezeAlone()]);
    const { services, noticedAfterMs, allAppliedAfterMs, afterResume, resumedWritesRefused } = beside;
    const { lonelyReplicas, lonelyWriteRefused, lonelyFrozenMs } = alone;

    const applied = afterResume.reduce((sum, count) => sum + count - 1, 0);
    reportResult({
      fault: 'frozen-consumer-sigstop',
      injected: `SIGSTOP of an alertscale consumer holding up to ${LIMITS.prefetch} prefetched intents (INTENT_TTL 30 s, heartbeat ${LIMITS.heartbeatSeconds} s), resumed after ${(TTL_MS + PAST_TTL_MS) / 1000} s; meanwhile another frozen alone mid-decision past the TTL`,
      load: `${services.length} notifications, one per service; alongside, 2 for one service`,
      lost: Math.max(0, services.length - applied),
      wronglyChanged: Math.max(0, applied - services.length) + (lonelyReplicas - 1),
      figures: { noticedAfterMs, allAppliedAfterMs, resumedWritesRefused, lonelyWriteRefused, lonelyFrozenMs },
    });
    expect(noticedAfterMs).toBeLessThanOrEqual(LIMITS.noticedWithinMs + 2000);
    expect(allAppliedAfterMs).toBeLessThan(TTL_MS);
    expect(afterResume).toEqual(services.map(() => 2));
    expect(lonelyReplicas).toBe(1);
    expect(lonelyWriteRefused).toBe(1);
  });
});
