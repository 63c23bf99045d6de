import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export type Encoding = 'br' | 'gzip' | 'identity';

export const DEFAULT_COMPRESSION_MIN_BYTES = 1024;

const QVALUE = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/i;

/** Codings and their weights from an Accept-Encoding value; members with an invalid weight are dropped. */
function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const member of header.split(',')) {
    const [rawCoding = '', ...params] = member.split(';').map((part) => part.trim());
    const coding = rawCoding.toLowerCase();
    if (!coding) continue;
    let weight = 1;
    let valid = true;
    for (const param of params) {
      if (!/^q=/i.test(param)) continue;
      if (!QVALUE.test(param)) valid = false;
      else weight = Number(param.slice(2));
    }
    if (valid && !weights.has(coding)) weights.set(coding, weight);
  }
  return weights;
}

/**
 * Picks the response coding: the highest q-value among br and gzip (br first on ties), q=0 refusing a
 * coding; `*` stands for gzip only, since clients sending it rarely mean brotli. Absent → identity.
 */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding?.trim()) return 'identity';
  const weights = parseAcceptEncoding(acceptEncoding);
  const any = weights.get('*');
  const br = weights.get('br') ?? 0;
  const gzip = weights.get('gzip') ?? weights.get('x-gzip') ?? any ?? 0;
  const best = Math.max(br, gzip);
  if (best <= 0) return 'identity';
  // Identity only wins when the client explicitly prefers it over every compressed coding.
  const identity = weights.get('identity');
  if (identity !== undefined && identity > best) return 'identity';
  return br >= gzip ? 'br' : 'gzip';
}

/**
 * Compresses a response body synchronously (Lambda bodies are small). Bodies under `minBytes`, identity,
 * and bodies that would not get smaller are returned as they are, marked identity.
 */
export function compressBody(
  body: Buffer | string,
  encoding: Encoding,
  minBytes: number = DEFAULT_COMPRESSION_MIN_BYTES,
): { body: Buffer; encoding: Encoding } {
  const input = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (encoding === 'identity' || input.length < minBytes) return { body: input, encoding: 'identity' };
  const compressed =
    encoding === 'br'
      ? brotliCompressSync(input, {
          params: {
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_QUALITY]: 5,
            [constants.BROTLI_PARAM_SIZE_HINT]: input.length,
          },
        })
      : gzipSync(input, { level: 6 });
  if (compressed.length >= input.length) return { body: input, encoding: 'identity' };
  return { body: compressed, encoding };
}
