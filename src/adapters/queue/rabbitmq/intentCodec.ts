import { z } from 'zod';
import { SCALE_ACTIONS, type ScaleIntent } from '../../../domain/types';

/** AMQP `type` property of intent messages; bump when the body changes incompatibly. */
export const INTENT_MESSAGE_TYPE = 'alertscale.intent.v1';

const intentSchema = z.object({
  key: z.string().min(1),
  service: z.string().min(1),
  action: z.enum(SCALE_ACTIONS),
  stepOverrides: z.array(z.number()),
  usesServiceStep: z.boolean(),
  target: z.number().optional(),
  receiver: z.string(),
  groupKey: z.string(),
  fingerprints: z.array(z.string()),
  alertStartsAt: z.array(z.string()).optional(),
  receivedAt: z.string().refine((value) => Number.isFinite(Date.parse(value)), 'not an RFC 3339 time'),
});

// Compile-time guard: the schema must keep producing a ScaleIntent.
const _schemaMatchesIntent: (parsed: z.infer<typeof intentSchema>) => ScaleIntent = (parsed) => parsed;
void _schemaMatchesIntent;

export function encodeIntent(intent: ScaleIntent): Buffer {
  return Buffer.from(JSON.stringify(intent), 'utf8');
}

export type DecodedIntent = { ok: true; intent: ScaleIntent } | { ok: false; error: string };

/** Never throws: a message that is not an intent is reported, to be dead-lettered. */
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
