/**
 * wp.errorHandler(): mounted after the routes. Turns body-parser failures into clear 4xx
 * answers with an event (malformed JSON -> 400, too large -> 413, unsupported charset or
 * encoding -> 415), and watchpost's SetupError into a 500 that says what to fix in the log.
 * Anything else goes on to the app's own error handler.
 */
import type { NextFunction, Request, Response } from 'express';
import { SetupError } from '../core/errors';
import { refuse } from './responder';
import type { HttpSuite, RequestContext } from './suite';

type Req = Request & { watchpost?: RequestContext };

const PARSER_ERRORS: Readonly<Record<string, { status: number; code: string }>> = {
  'entity.parse.failed': { status: 400, code: 'malformed_body' },
  'entity.too.large': { status: 413, code: 'payload_too_large' },
  'charset.unsupported': { status: 415, code: 'unsupported_charset' },
  'encoding.unsupported': { status: 415, code: 'unsupported_encoding' },
  'parameters.too.many': { status: 413, code: 'too_many_parameters' },
  'request.size.invalid': { status: 400, code: 'malformed_body' },
};

/** Creates the error handler. */
export function createErrorHandler(suite: HttpSuite) {
  return function watchpostErrorHandler(err: unknown, req: Req, res: Response, next: NextFunction): void {
    const type = (err as { type?: unknown })?.type;
    const known = typeof type === 'string' ? PARSER_ERRORS[type] : undefined;
    if (known) {
      suite.logEvent({ type: 'MALFORMED_REQUEST', ip: req.watchpost?.ip ?? req.ip, request: req, details: { reason: type, status: known.status } });
      refuse(res, known.status, known.code, req.watchpost?.requestId);
      return;
    }
    if (err instanceof SetupError) {
      suite.logger.error({ event: 'setup_error', code: err.code, err: err.message }, 'watchpost is not set up for this route');
      if (!res.headersSent) res.status(500).json({ error: 'Internal Server Error', code: err.code });
      return;
    }
    next(err);
  };
}
