/**
 * Errors in the domain's words. Services and lib modules throw these; lib/http maps each class to a
 * problem (problem-mapping.ts), so no domain builds an HTTP error and a new kind needs no edit there.
 */

/** One rejected input, named as the caller sent it: `query.limit`, `path.curve_id`, `body.name`. */
export interface InputIssue {
  field: string;
  message: string;
  code?: string;
}

/** The input cannot be served as given (a bad cursor, a rule across fields); a 400 naming each field. */
export class InvalidInputError extends Error {
  constructor(
    message: string,
    readonly issues: readonly InputIssue[],
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** What was asked for does not exist (for this caller); a 404. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The write collides with existing state (a unique name, a request still in flight); a 409. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** The caller's `If-Match` names a version the record no longer has; nothing was written. A 412. */
export class PreconditionFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreconditionFailedError';
  }
}

/** The body is well-formed but names something that cannot be used (an unknown curve); a 422 naming each field. */
export class UnprocessableError extends Error {
  constructor(
    message: string,
    readonly issues: readonly InputIssue[],
  ) {
    super(message);
    this.name = 'UnprocessableError';
  }
}

/**
 * The answer would be larger than one response may carry; a 422 whose detail says how to narrow the
 * request (the caller can fix it, unlike a 5xx). Thrown before the body is built.
 */
export class AnswerTooLargeError extends Error {
  constructor(
    message: string,
    readonly limitBytes: number,
  ) {
    super(message);
    this.name = 'AnswerTooLargeError';
  }
}
