import { z } from 'zod';
import { ConfigError } from '../config/loadConfig';

const listenAddress = z
  .string()
  .regex(/^(unix:\/\/\/.+|tcp:\/\/[^/:]+:\d{1,5})$/, 'must be unix:///path/to.sock or tcp://host:port (an internal network only, see docs/deploy.md)');

const schema = z.object({
  GUARD_MODE: z.enum(['scale', 'read-only']).default('scale'),
  GUARD_LISTEN: listenAddress.default('unix:///run/alertscale-guard/docker.sock'),
  /** Where the real Docker API is: its socket (the guard is its only holder), or tcp:// for tests. */
  GUARD_DOCKER_HOST: z
    .string()
    .regex(/^(unix:\/\/\/.+|tcp:\/\/[^/:]+:\d{1,5})$/, 'must be unix:///var/run/docker.sock or tcp://host:port')
    .default('unix:///var/run/docker.sock'),
  GUARD_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  GUARD_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  GUARD_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** The same ceiling alertscale applies (src/config/loadConfig.ts); set both alike. */
  MAX_REPLICAS_CEILING: z.coerce.number().int().min(1).max(100_000).default(100),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
});

export type GuardConfig = z.infer<typeof schema>;

/** The guard's settings from the environment, validated at start: a bad value names the variable and what it must be. */
export function loadGuardConfig(env: Record<string, string | undefined>): GuardConfig {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
}

export type Address = { socketPath: string } | { host: string; port: number };

/** unix:///path or tcp://host:port as Node's net options. */
export function toAddress(value: string): Address {
  if (value.startsWith('unix://')) return { socketPath: value.slice('unix://'.length) };
  const url = new URL(value);
  return { host: url.hostname, port: Number(url.port) };
}
