import { z } from 'zod';
import { commonConfigShape, commonSettings, type CommonSettings, requireSlotWhenUsed } from './commonConfig';
import { parseEnv } from './parseEnv';

const producerSchema = z
  .object({
    ...commonConfigShape,
    PRODUCER_RATE: z.coerce.number().positive({ message: 'expected jobs per second > 0' }).max(10_000).optional(),
    PRODUCER_BURST: z.coerce.number().int().positive({ message: 'expected a number of jobs >= 1' }).optional(),
    PRODUCER_DURATION_S: z.coerce.number().positive({ message: 'expected seconds > 0' }).optional(),
  })
  .superRefine((config, ctx) => {
    requireSlotWhenUsed(config, ctx);
    if (config.PRODUCER_RATE !== undefined && config.PRODUCER_BURST !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['PRODUCER_BURST'], message: 'set PRODUCER_RATE or PRODUCER_BURST, not both' });
    }
    if (config.PRODUCER_DURATION_S !== undefined && config.PRODUCER_BURST !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['PRODUCER_DURATION_S'], message: 'only applies to PRODUCER_RATE' });
    }
  });

export type ProducerMode = { kind: 'rate'; jobsPerSecond: number; durationSeconds?: number } | { kind: 'burst'; jobs: number };

export interface ProducerConfig extends CommonSettings {
  mode: ProducerMode;
  metricsPort: z.infer<typeof producerSchema>['METRICS_PORT'];
}

/** Producer settings from the environment; throws ConfigError naming each bad variable. */
export function loadProducerConfig(env: NodeJS.ProcessEnv): ProducerConfig {
  const raw = parseEnv(producerSchema, env);
  const mode: ProducerMode =
    raw.PRODUCER_BURST !== undefined
      ? { kind: 'burst', jobs: raw.PRODUCER_BURST }
      : {
          kind: 'rate',
          jobsPerSecond: raw.PRODUCER_RATE ?? 5,
          ...(raw.PRODUCER_DURATION_S !== undefined ? { durationSeconds: raw.PRODUCER_DURATION_S } : {}),
        };
  return {
    ...commonSettings(raw),
    mode,
    metricsPort: raw.METRICS_PORT,
  };
}
