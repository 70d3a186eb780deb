/**
 * Refusals are responses, not errors (STYLE.md section 6): a generic JSON body that never
 * repeats what matched, the request id, and Retry-After where waiting helps.
 */
import type { Response } from 'express';

/** Sends a refusal. `retryAfterMs` becomes a Retry-After header in whole seconds. */
export function refuse(res: Response, status: number, code: string, requestId: string | undefined, retryAfterMs?: number): void {
  if (res.headersSent) return;
  if (retryAfterMs !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  const error = status === 403 ? 'Forbidden' : status === 429 ? 'Too Many Requests' : status === 503 ? 'Service Unavailable' : status === 422 ? 'Unprocessable Entity' : status === 413 ? 'Payload Too Large' : 'Bad Request';
  res.status(status).json({ error, code, ...(requestId ? { requestId } : {}) });
}
