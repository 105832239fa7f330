import { inspect } from 'node:util';

/** An error's message, or whatever was thrown, for a failure message. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : inspect(error);
}
