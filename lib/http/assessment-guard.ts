/**
 * The assessment guard behind @SecureAssessment and wp.secureAssessment(): reads the
 * submission, runs the anomaly checks, records each anomaly (an ASSESSMENT_ANOMALY event
 * and an assessment_anomalies row, counted per user for its threshold), puts the verdict
 * on req.watchpost.assessment, and by default lets the handler run (option: 422).
 */
import type { NextFunction, Request, Response } from 'express';
import type { AssessmentPolicy } from '../config/policies';
import { parseSubmission } from '../core/assessment-submission';
import type { AssessmentSubmission, AssessmentVerdict } from '../core/types';
import { middlewareMissing, refuse } from './responder';
import type { HttpSuite, RequestContext } from './suite';

/** What the guard needs from the assessment checks (wired by the composition root). */
export interface AssessmentRuntime {
  /** Judges one submission against its type's baseline (and learns from it when it may be recorded: accepted, or flagged by pattern checks only; a share of them once the baseline is full). */
  analyze(submission: AssessmentSubmission): Promise<AssessmentVerdict>;
  /** Writes one assessment_anomalies row per anomaly, linked to the event. */
  record(submission: AssessmentSubmission, verdict: AssessmentVerdict, meta: { readonly ip: string; readonly requestId: string; readonly eventId: string }): void;
}

type Req = Request & { watchpost?: RequestContext; user?: { id?: unknown } };

/** Why a body is not a submission; undefined when it is one. */
export type SubmissionProblem = string;

/**
 * Turns the request into a submission (the `watchpost assess` format; the time is the
 * server's), or says what is wrong.
 */
export function readSubmission(policy: AssessmentPolicy, req: Req, now: Date): AssessmentSubmission | SubmissionProblem {
  const body = req.body as Record<string, unknown> | undefined;
  const raw = policy.extract ? policy.extract(req) : body && typeof body === 'object' && body.assessment_data && typeof body.assessment_data === 'object' ? body.assessment_data : body;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return 'the submission is not an object';
  const s = raw as Record<string, unknown>;
  const user = policy.getUser ? policy.getUser(req) : (req.user?.id ?? s.user ?? s.user_id ?? body?.user ?? body?.user_id);
  // The server's clock, never the client's `submitted_at`: a date far in the future would move
  // the baseline window and expire every stored sample of the type.
  return parseSubmission(s, user, policy.type ?? s.type, now);
}

/** The guard middleware for one policy. */
export function createAssessmentGuard(suite: HttpSuite, policy: AssessmentPolicy) {
  return async function assessmentGuard(req: Req, res: Response, next: NextFunction): Promise<void> {
    const ctx = req.watchpost;
    if (!ctx) {
      next(middlewareMissing(policy.where));
      return;
    }
    const runtime = suite.assessments;
    if (!runtime) {
      next();
      return;
    }
    const submission = readSubmission(policy, req, new Date(suite.clock.now()));
    if (typeof submission === 'string') {
      ctx.assessment = { anomalous: false, anomalies: [], skipped: submission };
      next();
      return;
    }
    const stop = suite.metrics.startCheckTimer('assessment');
    let verdict: AssessmentVerdict;
    try {
      verdict = await runtime.analyze(submission);
    } finally {
      stop();
    }
    ctx.assessment = verdict;
    if (verdict.anomalous) {
      const eventId = suite.logEvent({
        type: 'ASSESSMENT_ANOMALY',
        ip: ctx.ip,
        userIdentifier: submission.user,
        request: req,
        details: { assessmentType: submission.type, anomalies: verdict.anomalies.map((a) => ({ type: a.type, severity: a.severity, details: a.details })) },
      });
      runtime.record(submission, verdict, { ip: ctx.ip, requestId: ctx.requestId, eventId });
      for (const a of verdict.anomalies) suite.metrics.assessmentAnomaly(a.type);
      if (policy.onAnomaly === 'reject') {
        suite.metrics.blockedRequest('assessment');
        refuse(res, 422, 'assessment_rejected', ctx.requestId);
        return;
      }
    }
    next();
  };
}
