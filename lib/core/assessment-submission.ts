/**
 * Reads a submission in the `watchpost assess` format, for the assessment guard and the CLI
 * alike, so that both judge the same input the same way. Only the shape is checked here: a
 * missing or mistyped field is a reason the input is not a submission; an odd value (a
 * negative time, a non-numeric item time) goes to the detector, which reports it as an
 * `invalid_submission` anomaly, and a form too large to read whole is judged on what fits
 * (`scan_incomplete`), never skipped.
 */
import type { AssessmentSubmission } from './types';

/** Longest user identifier (an e-mail address is at most 320 characters). */
export const MAX_SUBMISSION_USER = 320;
/** Longest assessment type (the column is 128 characters). */
export const MAX_SUBMISSION_TYPE = 128;

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A number, or a numeric string (form bodies send numbers as text). */
function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

/**
 * The submission made of the fields of `s` (`completion_time` or `completionTime`,
 * `responses`, `score`, `item_times`), the given user and type, and the time it counts at.
 * Returns the submission, or why the input is not one.
 */
export function parseSubmission(s: Record<string, unknown>, userRaw: unknown, typeRaw: unknown, submittedAt: Date): AssessmentSubmission | string {
  const user = typeof userRaw === 'number' && Number.isFinite(userRaw) ? String(userRaw) : userRaw;
  if (typeof user !== 'string' || user.length === 0) return '"user" must be a non-empty string';
  if (user.length > MAX_SUBMISSION_USER) return `"user" is longer than ${MAX_SUBMISSION_USER} characters`;
  if (typeof typeRaw !== 'string' || typeRaw.length === 0) return '"type" must be a non-empty string';
  if (typeRaw.length > MAX_SUBMISSION_TYPE || CONTROL_RE.test(typeRaw)) return `"type" must be at most ${MAX_SUBMISSION_TYPE} characters, without control characters`;
  const completionTimeSec = numeric(s.completion_time ?? s.completionTime);
  if (completionTimeSec === undefined) return '"completion_time" must be a number of seconds';
  const responses = s.responses;
  if (!isPlainObject(responses)) return '"responses" must be an object of item: answer';
  const score = s.score === undefined || s.score === null ? undefined : numeric(s.score);
  if (s.score !== undefined && s.score !== null && score === undefined) return '"score" must be a number when given';
  let itemTimesSec: Record<string, number> | undefined;
  if (s.item_times !== undefined && s.item_times !== null) {
    if (!isPlainObject(s.item_times)) return '"item_times" must be an object of seconds by item when given';
    const given = s.item_times as Record<string, unknown>;
    // Numbers already: used as they are; otherwise a copy with numeric strings turned into numbers.
    // (for-in reads each value by its place, with no lookup and no list made; an inherited
    // key can only send the object to the copy, which reads own keys only.)
    let allNumbers = true;
    for (const k in given) {
      if (typeof given[k] !== 'number') {
        allNumbers = false;
        break;
      }
    }
    if (allNumbers) itemTimesSec = given as Record<string, number>;
    else {
      itemTimesSec = {};
      for (const k of Object.keys(given)) itemTimesSec[k] = (numeric(given[k]) ?? given[k]) as number;
    }
  }
  return {
    user,
    type: typeRaw,
    completionTimeSec,
    responses,
    ...(score === undefined ? {} : { score }),
    submittedAt,
    ...(itemTimesSec ? { itemTimesSec } : {}),
  };
}
