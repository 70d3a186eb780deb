/**
 * Coded errors. Every code has an entry in docs/error-codes.md; the message names the
 * component, shows the bad value and says how to fix it.
 */

/** Base class: every error watchpost throws has a stable `code`. */
export class SecError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SecError';
  }
}

/** The anchor of a code in docs/error-codes.md. */
export function docsAnchor(code: string): string {
  return `docs/error-codes.md#${code.toLowerCase()}`;
}

/** A configuration that cannot work. Thrown at start-up or decoration time, never per request. */
export class ConfigError extends SecError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, `${message} [${code}] see ${docsAnchor(code)}`, options);
    this.name = 'ConfigError';
  }
}

/** watchpost is used in a way that cannot work (e.g. a decorated handler with no suite mounted). */
export class SetupError extends SecError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, `${message} [${code}] see ${docsAnchor(code)}`, options);
    this.name = 'SetupError';
  }
}

/** A counter or baseline store failed (connection, timeout, script error). */
export class StoreError extends SecError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}

/** The database could not be reached or refused a write. */
export class PersistenceError extends SecError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'PersistenceError';
  }
}

/** An alert channel failed. */
export class AlertError extends SecError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'AlertError';
  }
}

/** Bad input to a public API call (e.g. an unknown event type given to logSecurityEvent). */
export class InputError extends SecError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, `${message} [${code}] see ${docsAnchor(code)}`, options);
    this.name = 'InputError';
  }
}
