import { z } from 'zod';
import { commonConfigShape, commonSettings, type CommonSettings, requireSlotWhenUsed } from './commonConfig';
import { parseEnv } from './parseEnv';

const workerSchema = z
  .object({
    ...commonConfigShape,
    WORKER_SERVICE_TIME_MS: z.coerce.number().int().min(0, { message: 'expected milliseconds >= 0' }).max(3_600_000).default(100),
    WORKER_PREFETCH: z.coerce.number().int().min(1, { message: 'expected an integer >= 1' }).max(10_000).default(1),
    WORKER_WORK_MODE: z.enum(['sleep', 'cpu']).default('sleep'),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    JOB_LOG_FILE: z.string().optional(),
    /** Share of attempts that fail transiently, to exercise retries and dead-lettering. */
    WORKER_FAILURE_RATE: z.coerce.number().min(0, { message: 'expected a share from 0 to 1' }).max(1, { message: 'expected a share from 0 to 1' }).default(0),
    WORKER_MAX_ATTEMPTS: z.coerce.number().int().min(1, { message: 'expected an integer >= 1' }).max(100).default(3),
    WORKER_RETRY_DELAY_MS: z.coerce.number().int().min(0, { message: 'expected milliseconds >= 0' }).max(3_600_000).default(1_000),
  })
  .superRefine(requireSlotWhenUsed);

export interface WorkerConfig extends CommonSettings {
  serviceTimeMs: number;
  prefetch: number;
  workMode: 'sleep' | 'cpu';
  shutdownGraceMs: number;
  failureRate: number;
  maxAttempts: number;
  retryDelayMs: number;
  jobLogFile?: string;
  metricsPort: z.infer<typeof workerSchema>['METRICS_PORT'];
}

/** Worker settings from the environment; throws ConfigError naming each bad variable. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  const raw = parseEnv(workerSchema, env);
  return {
    ...commonSettings(raw),
    serviceTimeMs: raw.WORKER_SERVICE_TIME_MS,
    prefetch: raw.WORKER_PREFETCH,
    workMode: raw.WORKER_WORK_MODE,
    shutdownGraceMs: raw.SHUTDOWN_GRACE_MS,
    failureRate: raw.WORKER_FAILURE_RATE,
    maxAttempts: raw.WORKER_MAX_ATTEMPTS,
    retryDelayMs: raw.WORKER_RETRY_DELAY_MS,
    ...(raw.JOB_LOG_FILE !== undefined ? { jobLogFile: raw.JOB_LOG_FILE } : {}),
    metricsPort: raw.METRICS_PORT,
  };
}
