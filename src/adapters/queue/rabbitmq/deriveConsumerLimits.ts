/**
 * AMQP heartbeat and prefetch derived from INTENT_TTL (docs/timings.md).
 *
 * A frozen consumer (stopped process, stalled VM) keeps its TCP connection open,
 * so the broker takes its prefetched intents back only once heartbeats stop
 * arriving: RabbitMQ closes a connection after about two missed heartbeat
 * intervals, measured here at up to ~3 (RabbitMQ's 60 s default gave 141–172 s,
 * longer than the 120 s TTL). With the heartbeat at TTL/6, the broker notices
 * within TTL/2; the other half of the TTL is left for a healthy consumer to
 * decide what the frozen one held, one decision after another for one service.
 */
export const HEARTBEAT_TTL_DIVISOR = 6;
/** Missed heartbeat intervals until the broker closes a silent connection, with margin. */
export const HEARTBEATS_UNTIL_NOTICED = 3;
/** RabbitMQ's own heartbeat is 60 s; ours never exceeds this, however long the TTL. */
export const MAX_HEARTBEAT_SECONDS = 30;
export const MAX_PREFETCH = 8;

export interface ConsumerLimits {
  /** Asked of the broker at connect (`heartbeat` in the AMQP URL); the broker takes the smaller of its own and ours. */
  heartbeatSeconds: number;
  /** How long a frozen consumer can hold intents before the broker gives them to another one. */
  noticedWithinMs: number;
  /** Unacknowledged intents per consumer. */
  prefetch: number;
}

/**
 * @param ttlMs INTENT_TTL
 * @param decisionBudgetMs the longest one decision may take (DOCKER_RETRY_DEADLINE: Docker retries stop there)
 */
export function deriveConsumerLimits(ttlMs: number, decisionBudgetMs: number): ConsumerLimits {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`INTENT_TTL must be a positive number of ms, got ${ttlMs}`);
  if (!Number.isFinite(decisionBudgetMs) || decisionBudgetMs <= 0) throw new RangeError(`decisionBudgetMs must be positive, got ${decisionBudgetMs}`);
  // AMQP counts heartbeats in whole seconds: 1 s is the floor, even for a TTL under 6 s.
  const heartbeatSeconds = Math.max(1, Math.min(MAX_HEARTBEAT_SECONDS, Math.floor(ttlMs / HEARTBEAT_TTL_DIVISOR / 1000)));
  const noticedWithinMs = HEARTBEATS_UNTIL_NOTICED * heartbeatSeconds * 1000;
  // Intents held by a frozen consumer may all be for one service: they are then decided in a row.
  const prefetch = Math.max(1, Math.min(MAX_PREFETCH, Math.floor((ttlMs - noticedWithinMs) / decisionBudgetMs)));
  return { heartbeatSeconds, noticedWithinMs, prefetch };
}

/**
 * The AMQP URL with our heartbeat. A smaller one already in the URL is kept; a
 * larger one (or 0, which turns heartbeats off) would let a frozen consumer hold
 * intents past their TTL, so it is refused. The URL holds a password: errors never show it.
 */
export function withHeartbeat(url: string, heartbeatSeconds: number): string {
  const parsed = new URL(url);
  const asked = parsed.searchParams.get('heartbeat');
  if (asked !== null) {
    const seconds = Number(asked);
    if (/^\d+$/.test(asked) && seconds >= 1 && seconds <= heartbeatSeconds) return url;
    throw new RangeError(
      `AMQP_URL asks for heartbeat=${asked.slice(0, 10)}, but INTENT_TTL needs a heartbeat of at most ${heartbeatSeconds}s (INTENT_TTL/${HEARTBEAT_TTL_DIVISOR}, at most ${MAX_HEARTBEAT_SECONDS}s); remove it from AMQP_URL or lower it`,
    );
  }
  parsed.searchParams.set('heartbeat', String(heartbeatSeconds));
  return parsed.toString();
}
