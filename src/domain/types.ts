/** Vocabulary of the decision core. Nothing here knows about HTTP, Docker or a clock. */

export const SCALE_ACTIONS = ['up', 'down', 'to'] as const;
export type ScaleAction = (typeof SCALE_ACTIONS)[number];
export type Direction = 'up' | 'down';
/** Recorded as the action of an alert whose `scale_action` is missing or not one of SCALE_ACTIONS. */
export const INVALID_ACTION = '(invalid)';
export type DecisionAction = ScaleAction | typeof INVALID_ACTION;

export function isScaleAction(value: unknown): value is ScaleAction {
  return typeof value === 'string' && (SCALE_ACTIONS as readonly string[]).includes(value);
}

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
  /** `startsAt` of each alert in `fingerprints`, in the same order (absent in intents queued by older versions). */
  alertStartsAt?: string[];
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
  /** Labels on the task template's containers: where `alertscale.*` labels do NOT belong (a common mistake). */
  containerLabels?: Record<string, string>;
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

/** One change alertscale made, as remembered on the service (`alertscale.state.recent`). */
export interface RecordedAction {
  key: string;
  /** When alertscale wrote it; never later than Docker's `UpdatedAt` (a later time is not believed). */
  atMs: number;
  direction: Direction;
  /** Which Alertmanager group asked (see computeGroupId); absent for state written before it was recorded. */
  group?: string;
  /** Short fingerprints of the firing alerts acted on; absent when there were too many to keep. */
  fingerprints?: string[];
}

/** What alertscale last recorded on the service (`alertscale.state.*` labels). */
export interface RecordedState {
  action: ScaleAction;
  atMs: number;
  key: string;
  from: number;
  /** The last few changes, newest first; the first is the one described by action/at/key/from. */
  recent: RecordedAction[];
  /** True when `alertscale.state.at` was later than Docker's `UpdatedAt` allows, so it was not believed. */
  distrusted: boolean;
}

export interface DecisionSettings {
  /** Global hard ceiling on every service's max (MAX_REPLICAS_CEILING). */
  ceiling: number;
  /** A repeated idempotency key is a duplicate only within this window (DEDUP_WINDOW). */
  dedupWindowMs: number;
}

export interface Decision {
  service: string;
  action: DecisionAction;
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
