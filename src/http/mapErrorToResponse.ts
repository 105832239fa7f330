import type { ErrorRequestHandler } from 'express';
import type winston from 'winston';
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

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  message?: string;
}

/** Turns body-parser failures into coded errors that say what to fix. */
function fromBodyParser(error: BodyParserError): AlertscaleError | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return new AlertscaleError(
        'payload_too_large',
        `payload_too_large: the body exceeds BODY_LIMIT (${error.limit} bytes); lower max_alerts in the Alertmanager webhook_config or raise BODY_LIMIT`,
      );
    case 'entity.parse.failed':
      return new AlertscaleError('invalid_payload', `invalid_payload: the body is not valid JSON (${error.message})`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AlertscaleError('unsupported_media_type', `unsupported_media_type: ${error.message}; send UTF-8 JSON`);
    default:
      // Any other 4xx from body-parser (a body that does not inflate as its Content-Encoding says,
      // a body shorter than its Content-Length) is the sender's fault: 400, which Alertmanager does not retry.
      return typeof error.status === 'number' && error.status >= 400 && error.status < 500
        ? new AlertscaleError('invalid_payload', `invalid_payload: the body could not be read (${error.message ?? 'bad request'})`)
        : undefined;
  }
}

/** The one place where errors become HTTP statuses. 4xx tells Alertmanager not to retry; 5xx asks it to. */
export function mapErrorToResponse(logger: winston.Logger): ErrorRequestHandler {
  return (error, request, response, _next) => {
    const coded =
      error instanceof AlertscaleError
        ? error
        : error instanceof TransientError
          ? new AlertscaleError('unavailable', `unavailable: ${error.message}; Alertmanager will retry`)
          : fromBodyParser(error as BodyParserError);
    if (coded) {
      const status = STATUS_BY_CODE[coded.code];
      if (status >= 500) logger.warn(coded.message, { event: 'request_failed', path: request.path, status });
      response.status(status).json({ error: coded.code, message: coded.message, ...(coded.details === undefined ? {} : { details: coded.details }) });
      return;
    }
    logger.error(`unexpected error: ${(error as Error).message}`, { event: 'request_failed', path: request.path, stack: (error as Error).stack });
    response.status(500).json({ error: 'internal', message: 'internal error; see the alertscale log' });
  };
}
