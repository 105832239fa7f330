/**
 * Issue 10, item 2, on the real RabbitMQ and Swarm: intents published straight to
 * `alertscale.intents` by someone with the broker user, not through the webhook.
 */
import { connect } from 'amqplib';
import { INTENT_MESSAGE_TYPE } from '../../src/adapters/queue/rabbitmq/intentCodec';
import { useReliabilityHarness } from './support/harness';
import { reportResult } from './support/report';
import { aUniqueIntent } from '../support/builders';
import { waitFor, sleep } from '../../harness/polling';
import { inspectService } from '../../harness/docker';

jest.setTimeout(120_000);

const harness = useReliabilityHarness('asrel-crafted');
const LABELS = { 'alertscale.enabled': 'true', 'alertscale.min': '1', 'alertscale.max': '5', 'alertscale.cooldown.up': '0s', 'alertscale.cooldown.down': '0s' };

/** A valid intent (test/integration/rabbitmq/support.ts) with what the webhook would never produce. */
function craftedIntent(service: string, change: Record<string, unknown>): Record<string, unknown> {
  return { ...aUniqueIntent(service), ...change };
}

describe('crafted intents on the queue', () => {
  test('when intents the webhook would refuse are published straight to the queue, then each is dead-lettered as malformed and no service changes', async () => {
    const vhost = await harness.vhost();
    const service = await harness.parkedService(LABELS, 2);
    const instance = await harness.start({ AMQP_URL: vhost.url, INTENT_TTL: '120s', MAX_REPLICAS_CEILING: '10' });
    await waitFor('alertscale ready on the broker', async () => ((await fetch(`${instance.url}/readyz`)).ok ? true : undefined), 30_000, 100);
    const before = await inspectService(service);
    const crafted = [
      // The report: a negative step on a down gave "scaled up 2→42" with max 5 and ceiling 10.
      craftedIntent(service, { action: 'down', stepOverrides: [-40], usesServiceStep: false }),
      craftedIntent(service, { stepOverrides: [2.5], usesServiceStep: false }),
      craftedIntent(service, { action: 'to', target: -3 }),
      craftedIntent(service, { replicas: 40 }),
      craftedIntent(service, { receivedAt: '2099-01-01T00:00:00.000Z' }),
    ];
    const model = await connect(vhost.url);
    model.on('error', () => undefined);
    try {
      const channel = await model.createConfirmChannel();
      for (const body of crafted) channel.sendToQueue('alertscale.intents', Buffer.from(JSON.stringify(body)), { persistent: true, type: INTENT_MESSAGE_TYPE });
      await channel.waitForConfirms();
    } finally {
      await model.close().catch(() => undefined);
    }
    await waitFor('every crafted intent dead-lettered', async () => ((await vhost.readyCount('alertscale.intents.dead')) === crafted.length ? true : undefined), 20_000, 250);
    await sleep(500);
    const after = await inspectService(service);
    const refusals = (instance.output().match(/intent dead-lettered \(malformed\)/g) ?? []).length;
    reportResult({
      fault: 'crafted-intents-on-the-queue',
      injected: `${crafted.length} intents published straight to alertscale.intents: negative step on a down, fractional step, negative target, unknown field, receivedAt in 2099`,
      load: 'one service, replicas 2, max 5, ceiling 10',
      lost: 0,
      wronglyChanged: Math.abs(after.replicas - before.replicas),
      figures: { deadLetteredMalformed: refusals, versionBefore: before.version, versionAfter: after.version },
    });
    expect(refusals).toBe(crafted.length);
    expect(after.replicas).toBe(2);
    expect(after.version).toBe(before.version);
  });
});
