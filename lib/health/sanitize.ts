/** Longest detail a check reports; anything longer is cut, since details are for people, not parsing. */
const MAX_DETAIL_CHARS = 200;

const REDACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  // Credentials first, before the URL and host rules cut them in half.
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 <redacted>'],
  [
    /\b(token|password|passwd|secret|api[_-]?key|authorization)(["']?\s*[:=]\s*["']?)[^\s,;"'&]+/gi,
    '$1$2<redacted>',
  ],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>),]+/gi, '<url>'],
  [/\[[0-9a-f:.]*:[0-9a-f:.]*\](?::\d+)?/gi, '<ip>'],
  [
    /\b(?:[0-9a-f]{1,4}:){5,7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:)+:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4})*)?|::1\b/gi,
    '<ip>',
  ],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<ip>'],
  [/\blocalhost(?::\d+)?\b/gi, '<host>'],
  [/\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?::\d+)?\b/gi, '<host>'],
  // Long opaque strings are keys or tokens more often than words.
  [/\b[A-Za-z0-9+/_-]{32,}={0,2}/g, '<redacted>'],
];

/**
 * Makes a failure message safe for a public health answer: credentials, URLs, IP addresses and host
 * names are replaced by placeholders, and the text is shortened to one line.
 */
export function sanitizeDetail(message: string): string {
  let text = message.replace(/\s+/g, ' ').trim();
  for (const [pattern, replacement] of REDACTIONS) text = text.replace(pattern, replacement);
  if (text.length > MAX_DETAIL_CHARS) text = `${text.slice(0, MAX_DETAIL_CHARS - 1)}…`;
  return text || 'failed';
}

/** The message of anything thrown, sanitized; non-errors get a generic word. */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) return sanitizeDetail(error.message || error.name);
  if (typeof error === 'string') return sanitizeDetail(error);
  return 'failed';
}
