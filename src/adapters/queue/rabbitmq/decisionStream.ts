import type { Channel } from 'amqplib';
import type { DecisionRecord } from '../../../app/ports';
import { INVALID_ACTION, OUTCOMES, SCALE_ACTIONS, type Decision } from '../../../domain/types';

/** The stream every instance reads the decisions of all instances from (ADR 0006). */
export const DEFAULT_DECISION_STREAM = 'alertscale.decisions';

/** How far back a starting instance replays: the same as the stream keeps. */
export const DECISION_HISTORY_MS = 24 * 3600_000;

/**
 * Arguments are part of a queue's identity (a different value is 406 on declare), so
 * they are fixed here. Retention drops whole segments: small segments keep the bound
 * close to what it says.
 */
export const DECISION_STREAM_ARGUMENTS = {
  'x-queue-type': 'stream',
  'x-max-age': '24h',
  'x-max-length-bytes': 20_000_000,
  'x-stream-max-segment-size-bytes': 1_000_000,
} as const;

/** Idempotent: the stream, bound to every decision event of the exchange. */
export async function declareDecisionStream(channel: Channel, exchange: string, stream: string): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true, autoDelete: false });
  await channel.assertQueue(stream, { durable: true, arguments: DECISION_STREAM_ARGUMENTS });
  await channel.bindQueue(stream, exchange, '#');
}

const ACTIONS: readonly string[] = [...SCALE_ACTIONS, INVALID_ACTION];
const OUTCOME_NAMES: readonly string[] = OUTCOMES;
const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;
const isInstant = (value: unknown): value is string => isText(value, 40) && !Number.isNaN(Date.parse(value));
const isCount = (value: unknown) => value === undefined || (Number.isInteger(value) && (value as number) >= 0);

/**
 * Reads one event body. Anything that is not a decision alertscale could have made is
 * refused (undefined): whoever can publish to the exchange must not be able to put
 * arbitrary text into the "why" API.
 */
export function decodeDecisionEvent(body: Buffer): DecisionRecord | undefined {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { id, service, action, outcome, reason, key, decidedAt, from, to, direction, retryable, receivedAt } = parsed;
  if (id !== undefined && !isText(id, 64)) return undefined;
  if (!isText(service, 255) || !isText(reason, 4000) || !isText(key, 200) || !isInstant(decidedAt)) return undefined;
  if (!isText(action, 10) || !ACTIONS.includes(action) || !isText(outcome, 40) || !OUTCOME_NAMES.includes(outcome)) return undefined;
  if (!isCount(from) || !isCount(to) || (direction !== undefined && direction !== 'up' && direction !== 'down')) return undefined;
  if ((retryable !== undefined && typeof retryable !== 'boolean') || (receivedAt !== undefined && !isInstant(receivedAt))) return undefined;
  return {
    ...(id !== undefined ? { id } : {}),
    service,
    action: action as Decision['action'],
    outcome: outcome as Decision['outcome'],
    reason,
    key,
    decidedAt,
    ...(from !== undefined ? { from: from as number } : {}),
    ...(to !== undefined ? { to: to as number } : {}),
    ...(direction !== undefined ? { direction: direction } : {}),
    ...(retryable !== undefined ? { retryable } : {}),
    ...(receivedAt !== undefined ? { receivedAt } : {}),
  };
}
