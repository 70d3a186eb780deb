/**
 * @SecureAuth(): validates its options at decoration time, records the policy and wraps
 * the handler through the same runtime as wp.secureAuth(). Always called with parentheses.
 */
import { parseAuthPolicy, type SecureAuthOptions } from '../config/policies';
import { ConfigError } from '../core/errors';
import { guardHandler } from '../http/policy-runtime';
import { AUTH_POLICY, setPolicy } from './metadata';

/** Decorates a login handler `(req, res, next?)`. */
export function SecureAuth(options: SecureAuthOptions = {}): MethodDecorator {
  if (arguments.length > 1) {
    throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', '@SecureAuth: write @SecureAuth() with parentheses (it is a decorator factory).');
  }
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const where = `@SecureAuth() on ${(target as { constructor?: { name?: string } }).constructor?.name ?? 'class'}.${String(key)}`;
    if (typeof descriptor?.value !== 'function') {
      throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', `${where}: decorate a method (a request handler).`);
    }
    const policy = parseAuthPolicy(options, where);
    const guarded = guardHandler(descriptor.value as (...a: never[]) => unknown, policy);
    setPolicy(guarded, AUTH_POLICY, policy);
    descriptor.value = guarded;
    return descriptor;
  };
}
