/**
 * Coded errors. The HTTP layer maps codes to statuses in one place
 * (src/http/mapErrorToResponse.ts); messages tell the operator what to fix.
 */
export type ErrorCode = 'unauthorized' | 'unsupported_media_type' | 'payload_too_large' | 'invalid_payload' | 'not_found' | 'unavailable';

export class AlertscaleError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AlertscaleError';
  }
}

/** Docker or the broker did not answer; worth retrying (Alertmanager retries 5xx). */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly operation: string,
  ) {
    super(message);
    this.name = 'TransientError';
  }
}

/** The service changed between inspect and update (Docker: "update out of sequence"). */
export class VersionConflictError extends Error {
  constructor(service: string) {
    super(`service ${service} changed since it was inspected (update out of sequence)`);
    this.name = 'VersionConflictError';
  }
}

/**
 * The intent outlived INTENT_TTL before its Docker write (a frozen or slow
 * consumer): the broker may already have dead-lettered or redelivered it, so it
 * is not applied; the queue dead-letters it as expired.
 */
export class IntentExpiredError extends Error {
  constructor(
    readonly service: string,
    readonly lateByMs: number,
  ) {
    super(`the intent for ${service} passed INTENT_TTL ${(lateByMs / 1000).toFixed(1)}s before its Docker write; a stale intent is never applied`);
    this.name = 'IntentExpiredError';
  }
}
