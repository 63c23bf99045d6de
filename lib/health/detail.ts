import { DataAccessError, UNREACHABLE_SOCKET_CODES } from '#lib/data/engine';

/**
 * What readiness may say about a check: a fixed vocabulary, never a dependency's own words. A vendor's
 * message (`bridge: unable to connect to redis, command was: …`) can quote commands, hosts or keys, so
 * failures are reduced to a reason below and anything else a provider reports becomes `failed`.
 */
export const FAILURE_REASONS = [
  'timed out',
  'unreachable',
  'unexpected answer',
  'not configured',
  'invalid document',
  'failed',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** The dependencies a check may name. */
const SUBJECTS = [
  'trino',
  'duckdb',
  'data engine',
  'upstash',
  'memory (in-process store)',
  'cache store',
] as const;

const literal = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const REASON = `(?:${FAILURE_REASONS.map(literal).join('|')})`;
const SUBJECT = `(?:${SUBJECTS.map(literal).join('|')})`;
const VERSION = '[A-Za-z0-9._:-]{1,40}';

const VOCABULARY: readonly RegExp[] = [
  new RegExp(`^${SUBJECT}(?:: ${REASON})?$`),
  new RegExp(`^${REASON}$`),
  /^timed out after \d{1,6} ms$/,
  new RegExp(`^(?:appconfig|file) version ${VERSION}(?:; latest read failed \\(${REASON}\\))?$`),
  new RegExp(`^serving built-in defaults \\((?:${REASON}|no flag document read yet)\\)$`),
];

/** The detail if it is said in the vocabulary; otherwise the one word `failed`. */
export function vocabularyDetail(detail: string): string {
  return VOCABULARY.some((pattern) => pattern.test(detail)) ? detail : 'failed';
}

const socketCode = (error: unknown): string | undefined => {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_SOCKET_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
};

/** Why something thrown failed a check, as one reason of the vocabulary; its message is never read. */
export function failureReason(error: unknown): FailureReason {
  if (error instanceof DataAccessError) {
    if (error.kind === 'timeout') return 'timed out';
    if (error.kind === 'unavailable') return 'unreachable';
    return 'failed';
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'timed out';
  if (socketCode(error) !== undefined) return 'unreachable';
  // fetch's own network failure (undici), whatever the socket said.
  if (error instanceof TypeError && error.message === 'fetch failed') return 'unreachable';
  return 'failed';
}
