import { z } from 'zod';
import { commonConfigShape, commonSettings, type CommonSettings } from './commonConfig';
import { metricsPortSchema, type MetricsPortSetting } from './metricsPort';
import { parseEnv } from './parseEnv';

const milliseconds = (max: number) => z.coerce.number().int().min(0, { message: 'expected milliseconds >= 0' }).max(max);

const apiSchema = z
  .object({
    AMQP_URL: commonConfigShape.AMQP_URL,
    DEMO_QUEUE: commonConfigShape.DEMO_QUEUE,
    TASK_SLOT: commonConfigShape.TASK_SLOT,
    LOG_LEVEL: commonConfigShape.LOG_LEVEL,
    RECONNECT_MAX_DELAY_MS: commonConfigShape.RECONNECT_MAX_DELAY_MS,
    /** The HTTP port (API, /healthz and /metrics): same forms as METRICS_PORT, `8080+slot` on the host network. */
    API_PORT: metricsPortSchema.default({ mode: 'fixed', port: 8080 }),
    /** Requests of GET /work in service at once: with the service time, the replica's fixed capacity. */
    API_CONCURRENCY: z.coerce.number().int().min(1, { message: 'expected an integer >= 1' }).max(10_000).default(2),
    API_SERVICE_TIME_MS: milliseconds(60_000).default(100),
    /** Requests that may wait for a free slot; one more is answered 503 at once. */
    API_QUEUE_LIMIT: z.coerce.number().int().min(0).max(100_000).default(100),
    /** A request that waited this long for a slot is answered 503 instead of being served late. */
    API_MAX_WAIT_MS: milliseconds(600_000).default(2_000),
    /** After SIGTERM /healthz answers 503 this long before the port closes, so the load balancer stops sending first. */
    DRAIN_DELAY_MS: milliseconds(600_000).default(3_000),
    SHUTDOWN_GRACE_MS: milliseconds(600_000).default(10_000),
  })
  .superRefine((config, ctx) => {
    if (config.API_PORT.mode === 'slot' && config.TASK_SLOT === undefined) {
      ctx.addIssue({ code: 'custom', path: ['API_PORT'], message: '<port>+slot needs TASK_SLOT (in a stack: TASK_SLOT: "{{.Task.Slot}}")' });
    }
    if (config.API_PORT.mode === 'off') ctx.addIssue({ code: 'custom', path: ['API_PORT'], message: 'the api needs a port (auto, a port or <port>+slot)' });
  });

export interface ApiCapacity {
  concurrency: number;
  serviceTimeMs: number;
  queueLimit: number;
  maxWaitMs: number;
}

export interface ApiConfig extends CommonSettings {
  port: MetricsPortSetting;
  capacity: ApiCapacity;
  drainDelayMs: number;
  shutdownGraceMs: number;
}

/** Api settings from the environment; throws ConfigError naming each bad variable. */
export function loadApiConfig(env: NodeJS.ProcessEnv): ApiConfig {
  const raw = parseEnv(apiSchema, env);
  return {
    ...commonSettings(raw),
    port: raw.API_PORT,
    capacity: {
      concurrency: raw.API_CONCURRENCY,
      serviceTimeMs: raw.API_SERVICE_TIME_MS,
      queueLimit: raw.API_QUEUE_LIMIT,
      maxWaitMs: raw.API_MAX_WAIT_MS,
    },
    drainDelayMs: raw.DRAIN_DELAY_MS,
    shutdownGraceMs: raw.SHUTDOWN_GRACE_MS,
  };
}
