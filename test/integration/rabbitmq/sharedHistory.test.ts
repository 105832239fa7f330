/**
 * "Why didn't it scale?" is the same whichever replica is asked and after a restart:
 * two real alertscale processes on one RabbitMQ vhost, each reading every instance's
 * decisions from the alertscale.decisions stream (ADR 0006).
 */
import { connect, type Channel } from 'amqplib';
import { firstAlert, fixtureFor } from '../../../harness/notifications';
import { startAlertscale, type RunningAlertscale } from '../../../harness/startAlertscale';
import { createTestService, removeTestServices, removeOrphanedServices } from '../../../harness/swarmServices';
import { createTestVhost, type TestVhost } from '../../reliability/support/rabbitVhost';
import { inspectService, uniqueName } from '../../../harness/docker';
import { waitFor } from '../../../harness/polling';
import { rabbitmqctl } from '../../../harness/rabbit';

jest.setTimeout(120_000);

const TOKEN = 'shared-history-token';
const created: string[] = [];
const running: RunningAlertscale[] = [];
let vhost: TestVhost | undefined;

interface ServiceAnswer {
  recentDecisions: Array<{ outcome: string; key: string; receivedAt?: string }>;
  recentDecisionsFrom: string;
  lastNotificationAt?: string;
  lastChange?: { description: string };
}

async function start(env: Record<string, string>): Promise<RunningAlertscale> {
  const instance = await startAlertscale({ WEBHOOK_TOKEN: TOKEN, INTENT_TTL: '60s', ...env });
  running.push(instance);
  await waitFor('alertscale to be ready', async () => ((await fetch(`${instance.url}/readyz`)).ok ? true : undefined), 30_000);
  return instance;
}

async function ask(instance: RunningAlertscale, service: string): Promise<ServiceAnswer> {
  return (await (await fetch(`${instance.url}/api/v1/services/${service}`)).json()) as ServiceAnswer;
}

async function notifyUp(instance: RunningAlertscale, service: string): Promise<void> {
  const payload = fixtureFor('firing-one-alert', service);
  firstAlert(payload).startsAt = new Date().toISOString();
  const response = await fetch(`${instance.url}/webhook`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(payload),
  });
  expect(response.status).toBe(202);
}

async function aService(): Promise<string> {
  const name = uniqueName('asit-history');
  created.push(name);
  await createTestService(name, { labels: { 'alertscale.enabled': 'true', 'alertscale.max': '5', 'alertscale.cooldown.up': '0s' } });
  return name;
}

/** Runs `work` on a channel of the test's vhost, closed afterwards. */
async function withVhostChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
  const model = await connect(vhost?.url ?? '');
  model.on('error', () => undefined);
  try {
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    return await work(channel);
  } finally {
    await model.close().catch(() => undefined);
  }
}

/** True once the instance's decision feed connected again after the broker cancelled its consumer. */
function resubscribedAfterCancel(instance: RunningAlertscale): boolean {
  const feedEvents = instance
    .output()
    .split('\n')
    .filter((line) => line.includes('"connection":"alertscale-decision-feed"'));
  const cancelledAt = feedEvents.map((line) => line.includes('cancelled by the broker')).lastIndexOf(true);
  return cancelledAt >= 0 && feedEvents.slice(cancelledAt + 1).some((line) => line.includes('"event":"broker_connected"'));
}

/** Closes every decision-feed connection of the test's vhost, as a broker-side drop would. */
async function dropDecisionFeeds(): Promise<number> {
  const lines = (await rabbitmqctl('-q', 'list_connections', 'pid', 'vhost', 'client_properties')).split('\n');
  const feeds = lines.filter((line) => line.split('\t')[1] === vhost?.name && line.includes('alertscale-decision-feed'));
  for (const line of feeds) await rabbitmqctl('close_connection', line.split('\t')[0] ?? '', 'test: drop the decision feed');
  return feeds.length;
}

/** Waits until the instance's answer about the service holds exactly these outcomes. */
const showsOutcomes = (instance: RunningAlertscale, service: string, outcomes: string[]) =>
  waitFor(
    `${instance.url} to show ${outcomes.join(', ')} for ${service}`,
    async () => {
      const answer = await ask(instance, service);
      return JSON.stringify(answer.recentDecisions.map((decision) => decision.outcome)) === JSON.stringify(outcomes) ? answer : undefined;
    },
    20_000,
    200,
  );

beforeAll(async () => {
  await removeOrphanedServices('asit-history');
  vhost = await createTestVhost('asit-history');
});

afterAll(async () => {
  await Promise.all(running.map((instance) => instance.stop()));
  await vhost?.remove();
  await removeTestServices(created);
});

describe('recent decisions across replicas and restarts', () => {
  test('when one of two AMQP replicas decides, then both show the decision once, and a restarted replica shows it too', async () => {
    const env = { AMQP_URL: vhost?.url ?? '' };
    const [first, second] = [await start(env), await start(env)] as [RunningAlertscale, RunningAlertscale];
    const name = await aService();
    await notifyUp(first, name);
    await waitFor(`${name} to scale`, async () => ((await inspectService(name)).replicas === 2 ? true : undefined), 30_000);

    // Whichever replica consumed the intent, each shows the decision, exactly once (its own event is not added twice).
    const fromFirst = await showsOutcomes(first, name, ['scaled']);
    const fromSecond = await showsOutcomes(second, name, ['scaled']);
    expect(fromSecond.recentDecisions).toEqual(fromFirst.recentDecisions);
    expect(fromSecond.lastNotificationAt).toBe(fromFirst.lastNotificationAt);
    expect(fromSecond.lastNotificationAt).toBeDefined();
    expect(fromSecond.recentDecisionsFrom).toMatch(/every alertscale instance/);

    await second.stop();
    const restarted = await start(env);
    const afterRestart = await showsOutcomes(restarted, name, ['scaled']);
    expect(afterRestart.recentDecisions).toEqual(fromFirst.recentDecisions);

    // The broker drops the feeds: each resumes where it stopped, nothing is lost or shown twice.
    expect(await dropDecisionFeeds()).toBe(2);
    await notifyUp(first, name);
    const resumedFirst = await showsOutcomes(first, name, ['scaled', 'scaled']);
    const resumedRestarted = await showsOutcomes(restarted, name, ['scaled', 'scaled']);
    expect(resumedRestarted.recentDecisions).toEqual(resumedFirst.recentDecisions);

    // Someone deletes the stream: both feeds declare it again and follow it, keeping what they hold.
    await withVhostChannel((channel) => channel.deleteQueue('alertscale.decisions'));
    await waitFor('both feeds to consume the declared-again stream', async () => ([first, restarted].every(resubscribedAfterCancel) ? true : undefined));
    await notifyUp(first, name);
    await showsOutcomes(first, name, ['scaled', 'scaled', 'scaled']);
    await showsOutcomes(restarted, name, ['scaled', 'scaled', 'scaled']);
  });

  test('when a single process without AMQP_URL restarts, then its history is gone but the service labels still say what changed last', async () => {
    const single = await start({});
    const name = await aService();
    await notifyUp(single, name);
    await showsOutcomes(single, name, ['scaled']);
    await single.stop();
    const restarted = await start({});
    const answer = await ask(restarted, name);
    expect(answer.recentDecisions).toEqual([]);
    expect(answer.recentDecisionsFrom).toMatch(/this process only/);
    expect(answer.lastChange?.description).toBe('alertscale up from 1 replicas');
  });
});
