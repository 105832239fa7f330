/** Vocabulary of the decision core. Nothing here knows about HTTP, Docker or a clock. */

export type ScaleAction = 'up' | 'down' | 'to';
export type Direction = 'up' | 'down';

export const OUTCOMES = [
  'scaled',
  'dry_run',
  'duplicate',
  'cooldown',
  'at_bound',
  'no_change',
  'paused',
  'deferred',
  'blocked',
  'conflict',
  'not_found',
  'not_enabled',
  'not_replicated',
  'invalid_policy',
  'invalid_alert',
  'error',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What one notification asks of one service: at most one per (service, action). */
export interface ScaleIntent {
  /** Idempotency key: identical re-sends of a notification share it. */
  key: string;
  service: string;
  action: ScaleAction;
  /** `scale_step` labels of the alerts behind the intent that set one. */
  stepOverrides: number[];
  /** True when at least one alert behind the intent has no `scale_step`: the service's own step competes. */
  usesServiceStep: boolean;
  /** For `to`: the largest `scale_replicas` among the alerts. */
  target?: number;
  receiver: string;
  groupKey: string;
  fingerprints: string[];
  /** RFC 3339; when alertscale received the notification. */
  receivedAt: string;
}

export type ServiceMode = 'replicated' | 'global' | 'replicated-job' | 'global-job';

/** What the decision needs to know about a Swarm service, as inspected. */
export interface ServiceState {
  id: string;
  name: string;
  version: number;
  mode: ServiceMode;
  /** Desired replicas in the spec (meaningful for `replicated` only). */
  replicas: number;
  labels: Record<string, string>;
  /** RFC 3339; when the service's spec last changed (Docker's `UpdatedAt`). */
  updatedAt: string;
  /** Docker's `UpdateStatus.State`, when a rollout has ever run. */
  updateState?: string;
}

export type Step = { kind: 'count'; value: number } | { kind: 'percent'; value: number };

/** Policy read from the service's `alertscale.*` labels, already validated. */
export interface ScalePolicy {
  min: number;
  max: number;
  stepUp: Step;
  stepDown: Step;
  cooldownUpMs: number;
  cooldownDownMs: number;
  paused: boolean;
}

/** What alertscale last recorded on the service (`alertscale.state.*` labels). */
export interface RecordedState {
  action: ScaleAction;
  atMs: number;
  key: string;
  from: number;
}

export interface DecisionSettings {
  /** Global hard ceiling on every service's max (MAX_REPLICAS_CEILING). */
  ceiling: number;
  /** A repeated idempotency key is a duplicate only within this window (DEDUP_WINDOW). */
  dedupWindowMs: number;
}

export interface Decision {
  service: string;
  action: ScaleAction;
  outcome: Outcome;
  /** Human answer to "why (not)?"; empty only for `scaled`. */
  reason: string;
  key: string;
  /** RFC 3339. */
  decidedAt: string;
  /** Replicas before and after, when the decision got that far. */
  from?: number;
  to?: number;
  direction?: Direction;
  /** True when the failure is transient and a retry may succeed (Docker or broker unreachable). */
  retryable?: boolean;
}
