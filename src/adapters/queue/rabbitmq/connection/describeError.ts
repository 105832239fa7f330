/** An error's message, or whatever was thrown, for a log line or a readiness reason. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
