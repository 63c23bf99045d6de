import { DataAccessError, type DataFailureKind, UNREACHABLE_SOCKET_CODES } from '#lib/data/engine';

/**
 * Why an app-store call failed. Every store error is a DataAccessError, so the HTTP layer's existing mapping
 * already answers timeouts with 504 and unavailability with 503; the write kit maps the rest by class.
 * Messages are fixed sentences: they never carry SQL, parameters, host names or the driver's text (that
 * stays in `cause`, for logs).
 */
export class StoreError extends DataAccessError {
  /** The SQLSTATE the database answered, when it answered one. */
  readonly sqlState?: string;

  constructor(
    kind: DataFailureKind,
    message: string,
    options: { cause?: unknown; sqlState?: string; retryAfterSeconds?: number } = {},
  ) {
    super(kind, message, options);
    this.name = 'StoreError';
    this.sqlState = options.sqlState;
  }
}

/** A unique constraint refused the write (SQLSTATE 23505): the record already exists. Maps to 409. */
export class StoreConflictError extends StoreError {
  /** The constraint's name (a schema name, never a value), so a domain can tell which uniqueness it hit. */
  readonly constraint?: string;

  constructor(options: { cause?: unknown; constraint?: string } = {}) {
    super('internal', 'the record conflicts with one that already exists', {
      cause: options.cause,
      sqlState: '23505',
    });
    this.name = 'StoreConflictError';
    this.constraint = options.constraint;
  }
}

/** Another constraint (check, not-null, foreign key) refused the write: the service let bad data through. */
export class StoreIntegrityError extends StoreError {
  readonly constraint?: string;

  constructor(options: { cause?: unknown; constraint?: string; sqlState?: string } = {}) {
    super('internal', 'the record breaks a rule of the app store', options);
    this.name = 'StoreIntegrityError';
    this.constraint = options.constraint;
  }
}

/** Row-level security refused a row (SQLSTATE 42501): a statement tried to write another tenant's row. */
export class StoreIsolationError extends StoreError {
  constructor(options: { cause?: unknown } = {}) {
    super('internal', 'the statement reached outside its tenant', { ...options, sqlState: '42501' });
    this.name = 'StoreIsolationError';
  }
}

/** The deadline passed, the caller aborted, or the statement timeout fired. Maps to 504. */
export class StoreTimeoutError extends StoreError {
  constructor(options: { cause?: unknown; sqlState?: string } = {}) {
    super('timeout', 'the app store did not answer within the deadline', options);
    this.name = 'StoreTimeoutError';
  }
}

/** The database could not be reached, refused the connection, or asked us to retry. Maps to 503. */
export class StoreUnavailableError extends StoreError {
  constructor(options: { cause?: unknown; sqlState?: string; retryAfterSeconds?: number } = {}) {
    super('unavailable', 'the app store is unavailable', {
      ...options,
      retryAfterSeconds: options.retryAfterSeconds ?? 2,
    });
    this.name = 'StoreUnavailableError';
  }
}

interface DriverErrorShape {
  code?: unknown;
  constraint?: unknown;
}

/** Driver messages for a connection lost mid-flight (node-postgres has no code for them). */
const LOST_CONNECTION = /Connection terminated|connection timeout|Client has encountered a connection error/i;

/** Turns whatever a driver threw into a StoreError; StoreErrors pass through unchanged. */
export function toStoreError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as DriverErrorShape;
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  const constraint = typeof shape.constraint === 'string' ? shape.constraint : undefined;
  if (code === '23505') return new StoreConflictError({ cause: error, constraint });
  if (code === '42501') return new StoreIsolationError({ cause: error });
  // query_canceled (statement_timeout, a cancel request) and lock_not_available (lock_timeout).
  if (code === '57014' || code === '55P03') return new StoreTimeoutError({ cause: error, sqlState: code });
  if (code?.startsWith('23')) return new StoreIntegrityError({ cause: error, constraint, sqlState: code });
  if (
    code !== undefined &&
    (code.startsWith('08') || // connection exception
      code === '57P01' || // admin_shutdown
      code === '57P02' || // crash_shutdown
      code === '57P03' || // cannot_connect_now
      code === '53300' || // too_many_connections
      code === '40001' || // serialization_failure: retry
      code === '40P01' || // deadlock_detected: retry
      code === '28P01' || // invalid_password
      code === '28000' || // invalid_authorization_specification
      code === '3D000') // the database does not exist
  )
    return new StoreUnavailableError({ cause: error, sqlState: code });
  if (code !== undefined && UNREACHABLE_SOCKET_CODES.has(code))
    return new StoreUnavailableError({ cause: error });
  if (error instanceof Error && LOST_CONNECTION.test(error.message))
    return new StoreUnavailableError({ cause: error });
  return new StoreError('internal', 'the app store failed the statement', { cause: error, sqlState: code });
}
