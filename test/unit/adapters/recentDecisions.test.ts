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
