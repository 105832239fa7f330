import { decideScale } from '../domain/decideScale';
import { makeDecision } from '../domain/makeDecision';
import { markBlocked, markDryRun } from '../domain/reviseDecision';
import type { Decision, DecisionSettings, ScaleIntent } from '../domain/types';
import { IntentExpiredError, TransientError, VersionConflictError } from './errors';
import type { ActiveAlertSource, DecisionRecorder, DedupCache, IntentHandler, IntentHandling, SwarmGateway } from './ports';
import { suggestServiceNames } from './suggestServiceNames';

export interface IntentProcessorDeps {
  swarm: SwarmGateway;
  dedupCache: DedupCache;
  recorder: DecisionRecorder;
  /** Present when ALERTMANAGER_URL is set: guards scale-downs against active up alerts. */
  activeAlerts?: ActiveAlertSource;
  settings: DecisionSettings;
  dryRun: boolean;
  now: () => number;
  /** How many times to inspect and decide again after a version conflict. */
  maxConflictRetries?: number;
  /** How long transient Docker failures are retried before the decision is `error`. */
  transientRetryDeadlineMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errorDecision(intent: ScaleIntent, nowMs: number, reason: string, retryable: boolean): Decision {
  return makeDecision({ service: intent.service, action: intent.action, key: intent.key, outcome: 'error', reason, nowMs, retryable });
}

/**
 * The decide-and-apply loop for one intent: inspect, decide (pure), guard, apply
 * with the inspected version; on a version conflict inspect and decide again, on
 * a transient Docker failure retry with backoff until a deadline.
 */
export function createIntentProcessor(deps: IntentProcessorDeps): IntentHandler {
  // Another writer in a tight loop can win several rounds in a row; jittered retries converge well within 20.
  const maxConflictRetries = deps.maxConflictRetries ?? 20;
  const deadlineMs = deps.transientRetryDeadlineMs ?? 5000;
  const sleep = deps.sleep ?? defaultSleep;

  async function guardScaleDown(decision: Decision): Promise<Decision> {
    if (!deps.activeAlerts || decision.outcome !== 'scaled' || decision.direction !== 'down') return decision;
    try {
      const active = await deps.activeAlerts.findActiveUpAlerts(decision.service);
      if (active.length === 0) return decision;
      return markBlocked(decision, `Alertmanager still has an active up/to alert for ${decision.service} (${active.join(', ')}); scale-down waits until it resolves`);
    } catch (error) {
      // Fail safe: a scale-down we cannot confirm is safe is not made.
      return markBlocked(decision, `could not ask Alertmanager whether an up/to alert is active (${(error as Error).message}); scale-down is not made unconfirmed`);
    }
  }

  async function decideOnce(intent: ScaleIntent, { expiresAtMs }: IntentHandling): Promise<Decision> {
    const startedMs = deps.now();
    let conflicts = 0;
    let backoffMs = 100;
    for (;;) {
      try {
        const inspected = await deps.swarm.inspectService(intent.service);
        const verdict = decideScale({ intent, service: inspected?.state, settings: deps.settings, nowMs: deps.now() });
        if (verdict.outcome === 'not_found') return { ...stripStateLabels(verdict), reason: verdict.reason + (await suggestServiceNames(intent.service, deps.swarm)) };
        if (verdict.outcome !== 'scaled' || !inspected || verdict.to === undefined) return stripStateLabels(verdict);
        const guarded = await guardScaleDown(verdict);
        if (guarded.outcome !== 'scaled') return guarded;
        if (deps.dryRun) return markDryRun(verdict);
        if (expiresAtMs !== undefined && deps.now() > expiresAtMs) throw new IntentExpiredError(intent.service, deps.now() - expiresAtMs);
        await deps.swarm.scaleService(inspected, verdict.to, verdict.stateLabels ?? {});
        return stripStateLabels(verdict);
      } catch (error) {
        if (error instanceof VersionConflictError) {
          conflicts += 1;
          if (conflicts > maxConflictRetries) {
            return errorDecision(intent, deps.now(), `error: ${intent.service} kept changing under us (${conflicts} version conflicts); it will be retried`, true);
          }
          // Jitter spreads instances that collided on the same version, so they converge instead of colliding again.
          await sleep(Math.round(Math.random() * 20 * conflicts));
          continue;
        }
        if (!(error instanceof TransientError)) throw error;
        if (deps.now() - startedMs + backoffMs > deadlineMs) {
          return errorDecision(intent, deps.now(), `error: Docker did not answer (${error.message}); gave up after ${deadlineMs} ms; it will be retried`, true);
        }
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 1000);
      }
    }
  }

  return async function processIntent(intent: ScaleIntent, handling: IntentHandling = {}): Promise<Decision> {
    const seenAt = deps.dedupCache.seenAt(intent.key);
    const decision: Decision = seenAt
      ? makeDecision({
          service: intent.service,
          action: intent.action,
          key: intent.key,
          outcome: 'duplicate',
          reason: `duplicate: this notification was already decided at ${seenAt} by this instance (same idempotency key within DEDUP_WINDOW)`,
          nowMs: deps.now(),
        })
      : await decideOnce(intent, handling).catch((error: Error) => {
          if (error instanceof IntentExpiredError) throw error;
          return errorDecision(
            intent,
            deps.now(),
            `error: ${error.message}; this is not a transient failure, fix the cause (see the log line) and the next repeat will retry`,
            false,
          );
        });
    if (decision.outcome === 'scaled' || decision.outcome === 'dry_run') deps.dedupCache.remember(intent.key, decision.decidedAt);
    await deps.recorder.record(decision, intent.receivedAt);
    return decision;
  };
}

function stripStateLabels(decision: Decision & { stateLabels?: unknown }): Decision {
  const { stateLabels: _ignored, ...rest } = decision;
  return rest;
}
