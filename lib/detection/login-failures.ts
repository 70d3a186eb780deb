/**
 * Login-failure policy math (pure). Hard locks are keyed on IP+username; what applies to
 * an account from every IP is short and grows gently, so that nobody can lock a victim out
 * for long by failing on purpose (NIST SP 800-63B 5.2.2).
 */

/** Longest account-wide lock: 15 minutes. */
export const MAX_ACCOUNT_LOCK_MS = 900_000;

/** The account-wide lock for the n-th offence (1-based): base, 2×base, 4×base, … up to 15 min. */
export function accountLockMs(offence: number, baseMs: number, maxMs = MAX_ACCOUNT_LOCK_MS): number {
  const n = Math.max(1, Math.floor(offence));
  return Math.min(baseMs * 2 ** Math.min(n - 1, 20), Math.max(baseMs, maxMs));
}

/**
 * Names what one IP failing on many accounts looks like: few tries per account is password
 * spraying (one common password over many accounts); more is credential stuffing (leaked
 * username/password pairs).
 */
export function manyAccountsPattern(failuresFromIp: number, distinctUsers: number): 'password_spraying' | 'credential_stuffing' {
  return distinctUsers > 0 && failuresFromIp / distinctUsers <= 1.5 ? 'password_spraying' : 'credential_stuffing';
}

/** The outcome of a login decided from the handler's response status. */
export function loginOutcome(status: number, failureStatuses: readonly number[]): 'success' | 'failure' | 'other' {
  if (status >= 200 && status < 300) return 'success';
  if (failureStatuses.includes(status)) return 'failure';
  return 'other';
}
