import type { Decision, DecisionAction, Outcome } from './types';

export interface DecisionParts {
  service: string;
  action: DecisionAction;
  key: string;
  outcome: Outcome;
  reason: string;
  nowMs: number;
  retryable?: boolean;
}

/** The one way a Decision is made, so every decision carries the same fields. */
export function makeDecision({ service, action, key, outcome, reason, nowMs, retryable }: DecisionParts): Decision {
  return { service, action, outcome, reason, key, decidedAt: new Date(nowMs).toISOString(), ...(retryable === undefined ? {} : { retryable }) };
}
