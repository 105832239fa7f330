/**
 * The interfaces the use cases depend on. Adapters implement them and translate,
 * nothing more; src/composeAlertscale.ts wires one implementation of each.
 */
import type { Decision, ScaleIntent, ServiceState } from '../domain/types';

/** A service as inspected, with the opaque handle needed to update exactly that version. */
export interface InspectedService {
  state: ServiceState;
  /** Adapter-owned: the whole inspected spec and its version. */
  handle: unknown;
}

export interface SwarmGateway {
  /** Undefined when no service has exactly that name. */
  inspectService(name: string): Promise<InspectedService | undefined>;
  /**
   * Writes replicas and labels in one update of the inspected version.
   * Throws VersionConflictError when the service changed since it was inspected.
   */
  scaleService(service: InspectedService, replicas: number, labels: Record<string, string>): Promise<void>;
  /** Every service labelled `alertscale.enabled=true`. */
  listEnabledServices(): Promise<ServiceState[]>;
  /**
   * Up to three names of existing services close to `name`, closest first, for "did you
   * mean" hints. May answer from a list a few seconds old, or [] when too many were asked
   * for lately (a storm of bogus names must not cost a CPU).
   */
  findClosestServiceNames(name: string): Promise<string[]>;
  /** Resolves when the Docker API answers. */
  ping(): Promise<void>;
}

/** Remembers recently decided idempotency keys in this instance. */
export interface DedupCache {
  /** RFC 3339 time the key was decided here, if within the window. */
  seenAt(key: string): string | undefined;
  remember(key: string, decidedAt: string): void;
}

/** Reads Alertmanager's view of active alerts, for the scale-down guard. */
export interface ActiveAlertSource {
  /** Names of active (not silenced, not inhibited) `up` or `to` alerts for the service. */
  findActiveUpAlerts(service: string): Promise<string[]>;
}

/** Where Alertmanager stands on one scale alert: only `active` ones are sent to alertscale. */
export type ScaleAlertState = 'active' | 'silenced' | 'inhibited' | 'unprocessed';

export interface SilenceView {
  id: string;
  createdBy?: string;
  comment?: string;
  /** RFC 3339. */
  endsAt?: string;
}

/** One alert carrying `scale_service`, as Alertmanager sees it now. */
export interface ScaleAlertView {
  alertname: string;
  /** The alert's `scale_action` label, as written. */
  action?: string;
  fingerprint: string;
  state: ScaleAlertState;
  /** RFC 3339. */
  startsAt?: string;
  silencedBy: SilenceView[];
  /** Alertnames (or fingerprints, when not a scale alert of the service) of the alerts inhibiting this one. */
  inhibitedBy: string[];
}

/** Reads Alertmanager's alerts for one service, for "why didn't it scale?". */
export interface ScaleAlertSource {
  /** Alertmanager's base URL, shown with the answer. */
  readonly url: string;
  /** Every alert for the service: active, silenced, inhibited and not yet processed. */
  listScaleAlerts(service: string): Promise<ScaleAlertView[]>;
  /** Every scale alert Alertmanager holds, by `scale_service`, in one request (for the status page). */
  listAllScaleAlerts(): Promise<Record<string, ScaleAlertView[]>>;
}

/** Everything that happens to a decision once made: log line, metrics, event, recent list. */
export interface DecisionRecorder {
  record(decision: Decision, receivedAt?: string): Promise<void>;
}

export interface IntentHandling {
  /** A durable queue's INTENT_TTL: past this instant the intent is never applied (IntentExpiredError), checked right before the Docker write. */
  expiresAtMs?: number;
}

/** Decides one intent; resolves with the recorded decision. */
export type IntentHandler = (intent: ScaleIntent, handling?: IntentHandling) => Promise<Decision>;

export type SubmitReceipt =
  /** Decided before answering (in-process queue): the decisions themselves. */
  | { mode: 'decided'; decisions: Decision[] }
  /** Stored durably (broker confirmed), to be decided by a consumer. */
  | { mode: 'queued'; count: number };

/**
 * Where the webhook hands intents. The in-process implementation decides them
 * before answering; a durable one (RabbitMQ) stores them and decides them later.
 */
export interface IntentQueue {
  /** Throws a TransientError (HTTP 503, Alertmanager retries) when intents could not be stored or decided. */
  submit(intents: ScaleIntent[]): Promise<SubmitReceipt>;
  /** Starts consuming with the handler. */
  start(handler: IntentHandler): Promise<void>;
  /** Stops taking new intents and waits for those in flight. */
  stop(): Promise<void>;
  /** Undefined when ready, else why not (shown by /readyz). */
  notReadyReason(): string | undefined;
}

/**
 * A decision as recorded: with an id of its own (its event carries it, so an instance
 * that hears a decision twice keeps it once) and when its notification arrived.
 */
export type DecisionRecord = Decision & { id?: string; receivedAt?: string };

/** Publishes each decision as an event (RabbitMQ topic exchange `alertscale.events`). */
export interface DecisionEventPublisher {
  publish(record: DecisionRecord): Promise<void>;
}
