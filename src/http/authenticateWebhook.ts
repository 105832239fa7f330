import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AlertscaleError } from '../app/errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Bearer-token check for the webhook. Both sides are hashed first so the
 * comparison takes the same time whatever the length or content of the guess.
 */
export function authenticateWebhook(token: string | undefined): RequestHandler {
  if (token === undefined) return (_request, _response, next) => next();
  const expected = digest(token);
  return (request, _response, next) => {
    const header = request.get('authorization');
    const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
    const given = digest(match?.[1] ?? '');
    if (match && timingSafeEqual(given, expected)) return next();
    // Which of the three it was tells the operator where to look; none of them reveals the token.
    const what = header === undefined ? 'no Authorization header' : match ? 'the bearer token does not match' : 'the Authorization header is not "Bearer <token>"';
    next(
      new AlertscaleError(
        'unauthorized',
        `unauthorized: ${what}; send "Authorization: Bearer <token>" with the token alertscale was given (WEBHOOK_TOKEN or WEBHOOK_TOKEN_FILE); in Alertmanager set http_config.authorization.credentials_file`,
      ),
    );
  };
}
