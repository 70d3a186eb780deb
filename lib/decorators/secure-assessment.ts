/**
 * @SecureAssessment(): guards an assessment-submission handler like wp.secureAssessment().
 * Always called with parentheses.
 */
import { parseAssessmentPolicy, type SecureAssessmentOptions } from '../config/policies';
import { ASSESSMENT_POLICY } from './metadata';
import { policyDecorator } from './policy-decorator';

/** Decorates an assessment-submission handler `(req, res, next?)`. */
export function SecureAssessment(options: SecureAssessmentOptions = {}): MethodDecorator {
  return policyDecorator('SecureAssessment', arguments.length, options, parseAssessmentPolicy, ASSESSMENT_POLICY);
}
