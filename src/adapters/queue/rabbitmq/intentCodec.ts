import { z } from 'zod';
import { ALERT_LABEL, checkAlertContract, REPLICAS_ANNOTATION, SERVICE_NAME } from '../../../domain/alertContract';
import { SCALE_ACTIONS, type ScaleIntent } from '../../../domain/types';
import { alertmanagerPayloadSchema, MAX_ALERTS_PER_NOTIFICATION as MAX_ALERTS } from '../../../http/alertmanagerPayloadSchema';

/** AMQP `type` property of intent messages; bump when the body changes incompatibly. */
export const INTENT_MESSAGE_TYPE = 'alertscale.intent.v1';

/** computeIdempotencyKey's output: 32 lowercase hex digits (half a SHA-256). */
const IDEMPOTENCY_KEY = /^[0-9a-f]{32}$/;

// The webhook's own limits, taken from its schema rather than written twice.
const payloadShape = alertmanagerPayloadSchema.shape;
const alertShape = payloadShape.alerts.element.shape;

/**
 * Exactly what planNotification produces, nothing more: a queue is a second way
 * in (anyone with the broker user can publish), so an intent the webhook would
 * have refused must not be decided just because it arrived by another door.
 */
const intentSchema = z
  .strictObject({
    key: z.string().regex(IDEMPOTENCY_KEY, 'not an idempotency key (32 lowercase hex digits)'),
    service: z.string().regex(SERVICE_NAME, 'not a Swarm service name'),
    action: z.enum(SCALE_ACTIONS),
    stepOverrides: z.array(z.number()).max(MAX_ALERTS),
    usesServiceStep: z.boolean(),
    target: z.number().optional(),
    receiver: payloadShape.receiver,
    groupKey: payloadShape.groupKey,
    fingerprints: z.array(alertShape.fingerprint).min(1).max(MAX_ALERTS),
    alertStartsAt: z.array(alertShape.startsAt).max(MAX_ALERTS).optional(),
    receivedAt: z.iso.datetime({ offset: true }),
  })
  .superRefine((intent, context) => {
    const problem = (path: Array<string | number>, message: string) => context.addIssue({ code: 'custom', path, message });
    // The alert contract itself judges each step and the target, as the webhook would have.
    const labels = { [ALERT_LABEL.service]: intent.service, [ALERT_LABEL.action]: intent.action };
    intent.stepOverrides.forEach((step, index) => {
      const verdict = checkAlertContract({ ...labels, [ALERT_LABEL.step]: String(step) }, {});
      if (verdict.kind !== 'valid') problem(['stepOverrides', index], `${step}: ${ALERT_LABEL.step} must be a positive whole number`);
    });
    if (intent.action === 'to') {
      const verdict = checkAlertContract(labels, intent.target === undefined ? {} : { [REPLICAS_ANNOTATION]: String(intent.target) });
      if (verdict.kind !== 'valid') problem(['target'], verdict.kind === 'invalid' ? verdict.reason : 'missing');
      if (intent.stepOverrides.length > 0) problem(['stepOverrides'], 'a "to" intent carries no step');
    } else if (intent.target !== undefined) {
      problem(['target'], `only a "to" intent carries a target, not "${intent.action}"`);
    }
    if (intent.alertStartsAt !== undefined && intent.alertStartsAt.length !== intent.fingerprints.length) {
      problem(['alertStartsAt'], 'one startsAt per fingerprint');
    }
    if (intent.stepOverrides.length === 0 && !intent.usesServiceStep) problem(['usesServiceStep'], 'an intent without step overrides uses the service step');
    // Every alert behind the intent gave a step or used the service's own.
    if (intent.fingerprints.length < intent.stepOverrides.length + (intent.usesServiceStep ? 1 : 0)) {
      problem(['fingerprints'], 'fewer alerts than the steps they set');
    }
  });

// Compile-time guard: the schema must keep producing a ScaleIntent.
const _schemaMatchesIntent: (parsed: z.infer<typeof intentSchema>) => ScaleIntent = (parsed) => parsed;
void _schemaMatchesIntent;

export function encodeIntent(intent: ScaleIntent): Buffer {
  return Buffer.from(JSON.stringify(intent), 'utf8');
}

export type DecodedIntent = { ok: true; intent: ScaleIntent } | { ok: false; error: string };

/** Never throws: a message that is not an intent the webhook could have made is reported, to be dead-lettered. */
export function decodeIntent(content: Buffer): DecodedIntent {
  let raw: unknown;
  try {
    raw = JSON.parse(content.toString('utf8'));
  } catch (error) {
    return { ok: false, error: `not JSON (${(error as Error).message})` };
  }
  const parsed = intentSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return { ok: false, error: `not an intent (${issues.join('; ')})` };
  }
  return { ok: true, intent: parsed.data };
}
