/**
 * Refusals are responses, not errors (STYLE.md section 6): a generic JSON body that never
 * repeats what matched, the request id, and Retry-After where waiting helps.
 */
import type { Response } from 'express';
import { SetupError } from '../core/errors';

/**
 * A guard ran on a request that wp.middleware() did not see (not mounted on this app, or
 * mounted after the route): it fails closed rather than letting the request through unchecked.
 */
export function middlewareMissing(where: string): SetupError {
  return new SetupError(
    'ERR_WATCHPOST_SUITE_NOT_INSTALLED',
    `${where}: wp.middleware() did not run for this request, so it was refused unchecked. Call app.use(wp.middleware()) before this route.`,
  );
}

/** Sends a refusal. `retryAfterMs` becomes a Retry-After header in whole seconds. */
export function refuse(res: Response, status: number, code: string, requestId: string | undefined, retryAfterMs?: number): void {
  if (res.headersSent) return;
  if (retryAfterMs !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  const error = status === 403 ? 'Forbidden' : status === 429 ? 'Too Many Requests' : status === 503 ? 'Service Unavailable' : status === 422 ? 'Unprocessable Entity' : status === 413 ? 'Payload Too Large' : 'Bad Request';
  res.status(status).json({ error, code, ...(requestId ? { requestId } : {}) });
}
