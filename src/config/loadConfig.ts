import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDuration } from '../domain/parseDuration';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, context) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        const hint = /^\d+$/.test(text.trim()) ? ` (a bare number has no unit: write ${text.trim()}s for seconds)` : '';
        context.addIssue({ code: 'custom', message: `not a Prometheus duration such as 30s, 2m or 1h30m${hint}` });
        return z.NEVER;
      }
      return ms;
    });

const flag = z
  .enum(['true', 'false'], { message: 'must be "true" or "false"' })
  .default('false')
  .transform((value) => value === 'true');

const byteSize = z
  .string()
  .default('1mb')
  .transform((text, context) => {
    const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(text.trim());
    if (!match) {
      context.addIssue({ code: 'custom', message: 'not a size such as 512kb, 1mb or 1048576' });
      return z.NEVER;
    }
    const unit = (match[2] ?? 'b').toLowerCase();
    return Number(match[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
  });

const url = (protocols: RegExp, example: string, alsoAccepted?: RegExp) =>
  z
    .string()
    .optional()
    .refine((text) => text === undefined || alsoAccepted?.test(text) || (protocols.test(text) && URL.canParse(text)), { message: `must be a URL such as ${example}` });

/** A whole number in [min, max], worded for an operator (zod's own wording names JavaScript types). */
const integerBetween = (min: number, max: number, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((text, context) => {
      const value = Number(text.trim());
      if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
        context.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return value;
    });

/** A socket path (/var/run/docker.sock, as `docker -H` accepts too) is the same as unix:// plus that path. */
const dockerHost = url(/^(unix|tcp|http|https):\/\//, 'unix:///var/run/docker.sock, /var/run/docker.sock or tcp://docker-proxy:2375', /^\/./).transform((text) =>
  text?.startsWith('/') ? `unix://${text}` : text,
);

/** An IP address or a host name to bind to; the message says what each choice means. */
const bindHost = z
  .string()
  .optional()
  .refine((text) => text === undefined || isIP(text) !== 0 || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(text), {
    message: 'must be an IP address or host name to listen on, such as 0.0.0.0 (every IPv4 interface), :: (every interface) or 127.0.0.1 (this host only)',
  });

const envSchema = z.object({
  PORT: integerBetween(1, 65535, 8080),
  HOST: bindHost,
  DOCKER_HOST: dockerHost,
  AMQP_URL: url(/^amqps?:\/\//, 'amqp://user:pass@rabbitmq:5672'),
  WEBHOOK_TOKEN: z.string().min(1).optional(),
  WEBHOOK_TOKEN_FILE: z.string().min(1).optional(),
  WEBHOOK_AUTH: z.enum(['bearer', 'none'], { message: 'must be "bearer" or "none"' }).default('bearer'),
  DRY_RUN: flag,
  // group_interval <= DEDUP_WINDOW < repeat_interval: see checkDedupWindow.ts and the shipped route (15s / 1m).
  DEDUP_WINDOW: duration('45s'),
  INTENT_TTL: duration('120s'),
  ALERTMANAGER_URL: url(/^https?:\/\//, 'http://alertmanager:9093'),
  MAX_REPLICAS_CEILING: integerBetween(1, 100_000, 100),
  BODY_LIMIT: byteSize,
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug'], { message: 'must be "error", "warn", "info" or "debug"' }).default('info'),
  DOCKER_RETRY_DEADLINE: duration('5s'),
  SHUTDOWN_TIMEOUT: duration('25s'),
});

/** Every environment variable alertscale reads (docs are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export type Config = Omit<z.infer<typeof envSchema>, 'WEBHOOK_TOKEN' | 'WEBHOOK_TOKEN_FILE'> & {
  /** Undefined only with WEBHOOK_AUTH=none. */
  webhookToken: string | undefined;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function readToken(env: z.infer<typeof envSchema>, readFile: (path: string) => string): string | undefined {
  if (env.WEBHOOK_AUTH === 'none') return undefined;
  if (env.WEBHOOK_TOKEN && env.WEBHOOK_TOKEN_FILE) {
    throw new ConfigError(['WEBHOOK_TOKEN and WEBHOOK_TOKEN_FILE are both set: set only one']);
  }
  if (env.WEBHOOK_TOKEN_FILE) {
    let token: string;
    try {
      token = readFile(env.WEBHOOK_TOKEN_FILE).trim();
    } catch (error) {
      throw new ConfigError([`WEBHOOK_TOKEN_FILE: cannot read ${env.WEBHOOK_TOKEN_FILE} (${(error as Error).message})`]);
    }
    if (token === '') throw new ConfigError([`WEBHOOK_TOKEN_FILE: ${env.WEBHOOK_TOKEN_FILE} is empty`]);
    return token;
  }
  if (env.WEBHOOK_TOKEN) return env.WEBHOOK_TOKEN;
  throw new ConfigError([
    'WEBHOOK_TOKEN or WEBHOOK_TOKEN_FILE is required: the webhook accepts only Alertmanager with the token (set WEBHOOK_AUTH=none to turn authentication off explicitly)',
  ]);
}

/** Secrets never appear in error messages, not even when malformed. */
const SECRET_VARIABLES = new Set(['WEBHOOK_TOKEN', 'AMQP_URL']);

function describeIssue(variable: string, message: string, env: Record<string, string | undefined>): string {
  const shown = SECRET_VARIABLES.has(variable) ? '(value hidden)' : `"${String(env[variable] ?? '')}"`;
  return `${variable}: ${message}, got ${shown}`;
}

/** Reads and validates the environment once, at start. Every problem is listed, each naming its variable. */
export function loadConfig(env: NodeJS.ProcessEnv, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): Config {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(blankless);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => describeIssue(String(issue.path[0]), issue.message, blankless)));
  }
  const { WEBHOOK_TOKEN: _token, WEBHOOK_TOKEN_FILE: _file, ...rest } = parsed.data;
  return { ...rest, webhookToken: readToken(parsed.data, readFile) };
}
