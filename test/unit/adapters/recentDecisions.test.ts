import { createRecentDecisions } from '../../../src/adapters/observability/createRecentDecisions';
import type { Decision, Outcome } from '../../../src/domain/types';

let clock = Date.parse('2026-11-28T12:00:00Z');
function aDecision(service: string, outcome: Outcome = 'scaled'): Decision {
  clock += 1000;
  return { service, action: 'up', outcome, reason: `${outcome}: test`, key: `k${clock}`, decidedAt: new Date(clock).toISOString() };
}

describe('recent decisions', () => {
  test('when listing all, then newest first and at most the overall bound', () => {
    const recent = createRecentDecisions({ overall: 3 });
    ['a', 'b', 'c', 'd'].forEach((service) => recent.add(aDecision(service)));
    expect(recent.list().map((decision) => decision.service)).toEqual(['d', 'c', 'b']);
  });

  test('when a storm of decisions about bogus names follows, then an existing service keeps its own history', () => {
    const recent = createRecentDecisions({ overall: 10, perService: 5 });
    recent.add(aDecision('shop_api', 'scaled'));
    recent.add(aDecision('shop_api', 'cooldown'));
    for (let index = 0; index < 1000; index += 1) recent.add(aDecision(`ghost-${index}`, 'not_found'));
    expect(recent.list('shop_api').map((decision) => decision.outcome)).toEqual(['cooldown', 'scaled']);
    expect(recent.list()).toHaveLength(10);
  });

  test('when one service has more decisions than its bound, then only the newest are kept', () => {
    const recent = createRecentDecisions({ perService: 2, overall: 1 });
    ['scaled', 'cooldown', 'at_bound'].forEach((outcome) => recent.add(aDecision('shop_api', outcome as Outcome)));
    expect(recent.list('shop_api').map((decision) => decision.outcome)).toEqual(['at_bound', 'cooldown']);
  });

  test('when more services than the bound have histories, then the least recently decided is forgotten', () => {
    const recent = createRecentDecisions({ services: 2, overall: 1 });
    ['a', 'b', 'c'].forEach((service) => recent.add(aDecision(service)));
    expect(recent.list('a')).toEqual([]);
    expect(recent.list('c')).toHaveLength(1);
  });

  test('when a name only has unverified decisions, then they are still found in the overall list', () => {
    const recent = createRecentDecisions();
    recent.add(aDecision('typo_service', 'not_found'));
    expect(recent.list('typo_service').map((decision) => decision.outcome)).toEqual(['not_found']);
  });
});

describe('recent decisions heard from other instances', () => {
  test('when a decision with the same id is added again (an instance hears its own event), then it is kept once', () => {
    const recent = createRecentDecisions();
    const decision = { ...aDecision('shop_api'), id: 'd1' };
    recent.add(decision);
    recent.add({ ...decision });
    expect(recent.list('shop_api')).toHaveLength(1);
    expect(recent.list()).toHaveLength(1);
  });

  test('when two decisions are alike in every field but their ids (duplicates in the same millisecond), then both are kept', () => {
    const recent = createRecentDecisions();
    const decision = aDecision('shop_api', 'duplicate');
    recent.add({ ...decision, id: 'd1' });
    recent.add({ ...decision, id: 'd2' });
    recent.add({ ...decision });
    expect(recent.list('shop_api')).toHaveLength(3);
  });

  test('when an older decision arrives after a newer one (a replay), then both lists stay newest first', () => {
    const recent = createRecentDecisions();
    const older = aDecision('shop_api', 'scaled');
    const newer = aDecision('shop_api', 'cooldown');
    recent.add(newer);
    recent.add(older);
    expect(recent.list().map((decision) => decision.outcome)).toEqual(['cooldown', 'scaled']);
    expect(recent.list('shop_api').map((decision) => decision.outcome)).toEqual(['cooldown', 'scaled']);
  });

  test('when decisions carry receivedAt, then the last notification is the newest of them', () => {
    const recent = createRecentDecisions();
    recent.add({ ...aDecision('shop_api'), receivedAt: '2026-12-01T09:00:00.000Z' });
    recent.add({ ...aDecision('shop_api'), receivedAt: '2026-12-01T09:05:00.000Z' });
    recent.add(aDecision('shop_api'));
    expect(recent.lastNotificationAt('shop_api')).toBe('2026-12-01T09:05:00.000Z');
    expect(recent.lastNotificationAt('other')).toBeUndefined();
  });
});
