import { z } from 'zod';
import { metricsPortSchema } from './metricsPort';

const amqpUrl = z.string().refine((value) => /^amqps?:\/\/[^\s]+$/.test(value), { message: 'expected an amqp:// or amqps:// URL' });

/** Variables shared by the producer and the worker. Keys are the variable names. */
export const commonConfigShape = {
  AMQP_URL: amqpUrl.default('amqp://guest:guest@127.0.0.1:5672'),
  DEMO_QUEUE: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,200}$/, { message: 'expected 1-200 letters, digits, or . _ : -' })
    .default('demo.jobs'),
  METRICS_PORT: metricsPortSchema.default({ mode: 'fixed', port: 9400 }),
  TASK_SLOT: z.coerce.number().int().min(1, { message: 'expected a task slot >= 1' }).optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  RECONNECT_MAX_DELAY_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
};

/** `+slot` needs TASK_SLOT: reported against METRICS_PORT, the variable the user chose. */
export function requireSlotWhenUsed(config: { METRICS_PORT: { mode: string }; TASK_SLOT?: number | undefined }, ctx: z.RefinementCtx): void {
  if (config.METRICS_PORT.mode === 'slot' && config.TASK_SLOT === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['METRICS_PORT'],
      message: '<port>+slot needs TASK_SLOT (in a stack: TASK_SLOT: "{{.Task.Slot}}")',
    });
  }
}

export interface CommonSettings {
  amqpUrl: string;
  queue: string;
  taskSlot?: number;
  logLevel: string;
  reconnectMaxDelayMs: number;
}

/** The shared variables of a parsed environment, under the names the demo processes use. */
export function commonSettings(raw: { AMQP_URL: string; DEMO_QUEUE: string; TASK_SLOT?: number | undefined; LOG_LEVEL: string; RECONNECT_MAX_DELAY_MS: number }): CommonSettings {
  return {
    amqpUrl: raw.AMQP_URL,
    queue: raw.DEMO_QUEUE,
    ...(raw.TASK_SLOT !== undefined ? { taskSlot: raw.TASK_SLOT } : {}),
    logLevel: raw.LOG_LEVEL,
    reconnectMaxDelayMs: raw.RECONNECT_MAX_DELAY_MS,
  };
}
