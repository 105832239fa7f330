import type { ErrorRequestHandler, Request } from 'express';
import type winston from 'winston';
import { createRateLimiter } from '../adapters/observability/createRateLimiter';
import { AlertscaleError, TransientError, type ErrorCode } from '../app/errors';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  unauthorized: 401,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_payload: 400,
  unavailable: 503,
};

/** Every status POST /webhook answers: accepted, each coded error's, and 500 for a bug. */
export const WEBHOOK_STATUS_CODES: readonly number[] = [202, ...new Set(Object.values(STATUS_BY_CODE)), 500];
/** Rejected webhook requests logged per minute at most; the next line logged counts the rest. */
export const REJECTED_LOG_LINES_PER_MINUTE = 20;

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  message?: string;
}

/** A coded error and what the log may say about it (never the body, never the token). */
interface Mapped {
  coded: AlertscaleError;
  logged: string;
}

/** Turns body-parser failures into coded errors that say what to fix. */
function fromBodyParser(error: BodyParserError): Mapped | undefined {
  switch (error.type) {
    case 'entity.too.large': {
      const coded = new AlertscaleError(
        'payload_too_large',
        `payload_too_large: the body exceeds BODY_LIMIT (${error.limit} bytes); lower max_alerts in the Alertmanager webhook_config or raise BODY_LIMIT`,
      );
      return { coded, logged: coded.message };
    }
    case 'entity.parse.failed':
      // The parser's message quotes the body: fine to tell the sender, not for the log.
      return {
        coded: new AlertscaleError('invalid_payload', `invalid_payload: the body is not valid JSON (${error.message})`),
        logged: 'invalid_payload: the body is not valid JSON',
      };
    case 'encoding.unsupported':
    case 'charset.unsupported': {
      const coded = new AlertscaleError('unsupported_media_type', `unsupported_media_type: ${error.message}; send UTF-8 JSON`);
      return { coded, logged: coded.message };
    }
    default:
      // Any other 4xx from body-parser (a body that does not inflate as its Content-Encoding says,
      // a body shorter than its Content-Length) is the sender's fault: 400, which Alertmanager does not retry.
      return typeof error.status === 'number' && error.status >= 400 && error.status < 500
        ? {
            coded: new AlertscaleError('invalid_payload', `invalid_payload: the body could not be read (${error.message ?? 'bad request'})`),
            logged: 'invalid_payload: the body could not be read',
          }
        : undefined;
  }
}

const isWebhook = (request: Request) => request.path === '/webhook';

/**
 * Docker or the broker did not answer. Alertmanager reads the webhook's answer and
 * retries 5xx by itself; a person reads the API's answer and needs to know what to do.
 */
function fromTransient(error: TransientError, request: Request): Mapped {
  const advice = isWebhook(request)
    ? 'Alertmanager will retry'
    : 'alertscale cannot answer this until Docker (or the broker) is reachable again; try again shortly, and see GET /readyz for what is down';
  const coded = new AlertscaleError('unavailable', `unavailable: ${error.message}; ${advice}`);
  return { coded, logged: coded.message };
}

/** The one place where errors become HTTP statuses. 4xx tells Alertmanager not to retry; 5xx asks it to. */
export function mapErrorToResponse(logger: winston.Logger, now: () => number = Date.now): ErrorRequestHandler {
  const rejectedLog = createRateLimiter(REJECTED_LOG_LINES_PER_MINUTE, 60_000, now);
  // Alertmanager never retries a 4xx: the scaling it carried is lost, so each one is worth a line.
  const logRejected = (request: Request, status: number, mapped: Mapped) => {
    const { allowed, suppressed } = rejectedLog.take();
    if (!allowed) return;
    const paths = Array.isArray(mapped.coded.details) ? (mapped.coded.details as Array<{ path?: string }>).slice(0, 5).map((detail) => detail.path) : undefined;
    const untold = suppressed > 0 ? ` (${suppressed} earlier rejections not logged: over ${REJECTED_LOG_LINES_PER_MINUTE} a minute)` : '';
    logger.warn(`webhook rejected with ${status}: ${mapped.logged}${untold}`, {
      event: 'webhook_rejected',
      status,
      error: mapped.coded.code,
      remoteAddress: request.socket.remoteAddress,
      userAgent: request.get('user-agent')?.slice(0, 100),
      ...(paths ? { paths } : {}),
      ...(suppressed > 0 ? { suppressedBefore: suppressed } : {}),
    });
  };
  return (error, request, response, _next) => {
    const mapped: Mapped | undefined =
      error instanceof AlertscaleError
        ? { coded: error, logged: error.message }
        : error instanceof TransientError
          ? fromTransient(error, request)
          : fromBodyParser(error as BodyParserError);
    if (mapped) {
      const { coded } = mapped;
      const status = STATUS_BY_CODE[coded.code];
      if (status >= 500) logger.warn(coded.message, { event: 'request_failed', path: request.path, status });
      else if (isWebhook(request)) logRejected(request, status, mapped);
      response.status(status).json({ error: coded.code, message: coded.message, ...(coded.details === undefined ? {} : { details: coded.details }) });
      return;
    }
    logger.error(`unexpected error: ${(error as Error).message}`, { event: 'request_failed', path: request.path, stack: (error as Error).stack });
    response.status(500).json({ error: 'internal', message: 'internal error; see the alertscale log' });
  };
}
