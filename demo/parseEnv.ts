import type { z } from 'zod';

/** A configuration error whose message names every offending variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Values of these variables may hold credentials: never echo them. */
const SECRET_NAME = /URL|PASS|TOKEN|SECRET/i;

/**
 * Validates environment variables against a zod object schema whose keys are
 * the variable names, so every issue path starts with the variable's name.
 * Empty strings count as unset (a stack file often renders `VAR=`).
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const variable = issue.path.length > 0 ? issue.path.map(String).join('.') : '(environment)';
    const name = issue.path.length > 0 ? String(issue.path[0]) : '';
    const given = env[name];
    const shown = given === undefined || SECRET_NAME.test(name) ? '' : ` (got ${JSON.stringify(given)})`;
    return `${variable}: ${issue.message}${shown}`;
  });
  throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
}
