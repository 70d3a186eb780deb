/**
 * @SecureAuth(): guards a login handler like wp.secureAuth(). Always called with parentheses.
 */
import { parseAuthPolicy, type SecureAuthOptions } from '../config/policies';
import { AUTH_POLICY } from './metadata';
import { policyDecorator } from './policy-decorator';

/** Decorates a login handler `(req, res, next?)`. */
export function SecureAuth(options: SecureAuthOptions = {}): MethodDecorator {
  return policyDecorator('SecureAuth', arguments.length, options, parseAuthPolicy, AUTH_POLICY);
}
