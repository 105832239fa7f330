/**
 * Issue 10's "trust" reports (items 8 and 9) reproduced on the real Swarm with
 * the built alertscale as a process (no ALERTMANAGER_URL, in-process intents).
 */
import { useReliabilityHarness } from './support/harness';
import { post, uniqueNotification } from '../../harness/notifications';
import { compareReplicas, histogram, reportResult } from './support/report';
import { inspectService } from '../../harness/docker';
import { sleep } from '../../harness/polling';

jest.setTimeout(120_000);

const harness = useReliabilityHarness('asrel-trust');
const { token } = harness;
const COOLDOWN_S = 6;
const LABELS = {
  'alertscale.enabled': 'true',
  'alertscale.min': '1',
  'alertscale.max': '10',
  'alertscale.cooldown.up': `${COOLDOWN_S}s`,
  'alertscale.cooldown.down': `${COOLDOWN_S}s`,
};

/** Creating a service is a change of its spec: the cooldowns count from it, so wait them out first. */
async function servicesPastCreationCooldown(count: number, labels: Record<string, string>, replicas: number): Promise<string[]> {
  const services = await Promise.all(Array.from({ length: count }, () => harness.parkedService(labels, replicas)));
  await sleep((COOLDOWN_S + 1) * 1000);
  return services;
}

async function decide(url: string, service: string, action: 'up' | 'down'): Promise<{ outcome?: string; reason?: string }> {
  return (await post(url, token, uniqueNotification(service, action))).body?.decisions?.[0] ?? {};
}

describe('trust, on the real Swarm', () => {
  test('when a down and an up for the same service arrive in separate notifications, then the down never makes the up wait (issue 10, item 8)', async () => {
    const ROUNDS = 4;
    const [sequential = '', ...simultaneous] = await servicesPastCreationCooldown(1 + ROUNDS, LABELS, 4);
    const instance = await harness.start();
    // One after the other: the down is applied, the up right after it must not wait for the up cooldown.
    const down = await decide(instance.url, sequential, 'down');
    const up = await decide(instance.url, sequential, 'up');
    // At the same time, as the report had them: whichever wins, the up is applied.
    const rounds = await Promise.all(
      simultaneous.map(async (service) => {
        const [roundDown, roundUp] = await Promise.all([decide(instance.url, service, 'down'), decide(instance.url, service, 'up')]);
        return { service, down: roundDown.outcome, up: roundUp.outcome, replicas: (await inspectService(service)).replicas };
      }),
    );
    const upsHeldBack = rounds.filter((round) => round.up !== 'scaled').length + (up.outcome === 'scaled' ? 0 : 1);
    reportResult({
      fault: 'down-then-up-separate-notifications',
      injected: `a down and an up for one service in separate notifications: 1 in sequence, ${ROUNDS} simultaneous`,
      load: `${2 + 2 * ROUNDS} notifications, cooldowns ${COOLDOWN_S}s`,
      lost: upsHeldBack,
      wronglyChanged: 0,
      figures: {
        sequential: `${down.outcome}/${up.outcome}`,
        downOutcomes: histogram(rounds.map((round) => round.down ?? 'none')),
        upOutcomes: histogram(rounds.map((round) => round.up ?? 'none')),
      },
    });
    expect(down.outcome).toBe('scaled');
    expect(up).toMatchObject({ outcome: 'scaled' });
    expect(rounds.map((round) => ({ service: round.service, up: round.up }))).toEqual(rounds.map((round) => ({ service: round.service, up: 'scaled' })));
    for (const round of rounds) expect(round.replicas).toBeGreaterThanOrEqual(4);
  });

  test('when alertscale.state.at is forged or skewed into the future, then it is not believed and an up is applied (issue 10, item 9)', async () => {
    const stateAt = { forged: '2099-01-01T00:00:00.000Z', skewed: new Date(Date.now() + 10 * 60_000).toISOString() };
    const services = await Promise.all(
      Object.values(stateAt).map((at) =>
        harness.parkedService(
          { ...LABELS, 'alertscale.state.action': 'up', 'alertscale.state.at': at, 'alertscale.state.key': '0123456789abcdef0123456789abcdef', 'alertscale.state.from': '1' },
          2,
        ),
      ),
    );
    await sleep((COOLDOWN_S + 1) * 1000);
    const instance = await harness.start();
    const decisions = await Promise.all(services.map((service) => decide(instance.url, service, 'up')));
    const replicas = await Promise.all(services.map(async (service) => (await inspectService(service)).replicas));
    reportResult({
      fault: 'state-at-in-the-future',
      injected: 'alertscale.state.at set to 2099 on one service, 10 minutes ahead on another',
      load: '1 up notification each, cooldown passed since the last real change',
      ...compareReplicas(
        6,
        replicas.reduce((sum, count) => sum + count, 0),
      ),
      figures: { outcomes: decisions.map((decision) => decision.outcome).join(',') },
    });
    expect(decisions.map((decision) => decision.outcome)).toEqual(['scaled', 'scaled']);
    expect(replicas).toEqual([3, 3]);
  });
});
