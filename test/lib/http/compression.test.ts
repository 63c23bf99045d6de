import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  brotliUncompressedMetaBlock,
  compressBody,
  compressionIdle,
  compressParts,
  type Encoding,
  negotiateEncoding,
  ReusedText,
} from '#lib/http/compression';

/** A realistic JSON page: repetitive enough to compress well. */
function curvePageJson(points: number): string {
  const data = Array.from({ length: points }, (_, i) => ({
    curve_key: `PJM_WEST_HUB_${i % 7}`,
    tenor_label: `2025-${String((i % 12) + 1).padStart(2, '0')}`,
    tenor_type: 'MONTHLY',
    asof_date: '2025-01-14',
    mid: 40 + (i % 13) * 0.25,
  }));
  return JSON.stringify({ meta: { request_id: 'req-1', query_time_ms: 3 }, data });
}

describe('negotiateEncoding', () => {
  it.each<[string | undefined, Encoding]>([
    [undefined, 'identity'],
    ['', 'identity'],
    ['   ', 'identity'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['br, gzip', 'br'],
    ['gzip, br', 'br'],
    ['BR', 'br'],
    ['x-gzip', 'gzip'],
    ['deflate', 'identity'],
    ['identity', 'identity'],
    ['*', 'gzip'],
    ['*;q=0', 'identity'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['br;q=0.8, gzip;q=0.8', 'br'],
    ['gzip;q=1.0, br;q=0.999', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['gzip;q=0, *', 'identity'],
    ['br;q=0, *', 'gzip'],
    ['br;q=0.2, *;q=0.5', 'gzip'],
    ['gzip ; q=0.5', 'gzip'],
    ['gzip;Q=0.5', 'gzip'],
    ['gzip;q=0.3, identity;q=0.9', 'identity'],
    ['gzip;q=0.9, identity;q=0.9', 'gzip'],
    ['gzip;q=2', 'identity'],
    ['gzip;q=abc, br', 'br'],
    ['gzip;level=9', 'gzip'],
  ])('Accept-Encoding %j → %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe('compressBody', () => {
  const json = curvePageJson(200);

  it.each<[Encoding, (body: Buffer) => Buffer]>([
    ['gzip', gunzipSync],
    ['br', brotliDecompressSync],
  ])('%s output decompresses to the input and is smaller', (encoding, decompress) => {
    const result = compressBody(json, encoding);
    expect(result.encoding).toBe(encoding);
    expect(result.body.length).toBeLessThan(Buffer.byteLength(json) / 4);
    expect(decompress(result.body).toString('utf8')).toBe(json);
  });

  it('accepts a Buffer as well as a string, multi-byte text included', () => {
    const text = `${'Prix à terme € — '.repeat(100)}`;
    const result = compressBody(Buffer.from(text, 'utf8'), 'gzip');
    expect(result.encoding).toBe('gzip');
    expect(gunzipSync(result.body).toString('utf8')).toBe(text);
  });

  it('leaves bodies under the 1 KiB default threshold uncompressed', () => {
    const small = 'x'.repeat(1023);
    expect(compressBody(small, 'br')).toEqual({ body: Buffer.from(small), encoding: 'identity' });
    const atThreshold = compressBody('x'.repeat(1024), 'br');
    expect(atThreshold.encoding).toBe('br');
    expect(brotliDecompressSync(atThreshold.body).toString()).toBe('x'.repeat(1024));
  });

  it('honours a custom threshold', () => {
    expect(compressBody('y'.repeat(600), 'gzip', 500).encoding).toBe('gzip');
    expect(compressBody('y'.repeat(600), 'gzip', 2048).encoding).toBe('identity');
  });

  it('returns identity bodies untouched', () => {
    const result = compressBody(json, 'identity');
    expect(result.encoding).toBe('identity');
    expect(result.body.toString('utf8')).toBe(json);
  });

  it('sends incompressible bodies as they are rather than larger', () => {
    // A deterministic pseudo-random byte stream that no coder can shrink.
    const noise = Buffer.alloc(4096);
    let state = 0x9e3779b9;
    for (let i = 0; i < noise.length; i += 1) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      noise[i] = state & 0xff;
    }
    for (const encoding of ['gzip', 'br'] as const) {
      const result = compressBody(noise, encoding);
      expect(result.encoding).toBe('identity');
      expect(result.body.equals(noise)).toBe(true);
    }
  });
});

describe('compressParts', () => {
  const decoders = { br: brotliDecompressSync, gzip: gunzipSync };
  /** The rows of a v1 page (`<data>}`), multi-byte text included, as the fixed part of every answer. */
  const rows = () => new ReusedText(`${JSON.stringify(JSON.parse(curvePageJson(120)).data)}, "Zürich — ☃"}`);
  const head = (i: number) =>
    `{"meta":{"request_id":"req-${i}","query_time_ms":${i % 3},"next_cursor":"${'c'.repeat(i % 4)}"},"data":`;

  it.each(['br', 'gzip'] as const)(
    '%s: the first answer on a text is compressed whole, reused ones are spliced and decode to the same bytes',
    async (encoding) => {
      const fixed = rows();
      const first = { head: head(0), fixed: fixed.use(), tail: '' };
      expect(compressParts(first, encoding)).toEqual(compressBody(head(0) + fixed.text, encoding));
      const answers = new Set<string>();
      for (let round = 0; round < 2; round++) {
        for (let i = 1; i <= 12; i++) {
          // v1 bodies vary before the rows, v2 bodies after them.
          const tail = i % 2 ? '' : `,"meta":{"request_id":"req-${i}"},"links":{"self":"/v2/x?n=${i}"}}`;
          const parts = { head: i % 2 ? head(i) : '', fixed: fixed.use(), tail };
          const result = compressParts(parts, encoding);
          expect(result.encoding).toBe(encoding);
          expect(decoders[encoding](result.body).toString('utf8')).toBe(parts.head + fixed.text + tail);
          answers.add(result.body.toString('base64'));
          expect(result.body.length).toBeLessThan(Buffer.byteLength(fixed.text) / 2);
        }
        // The brotli forms are built off the request path; the second round answers from them.
        await compressionIdle();
      }
      const whole = compressBody(head(1) + fixed.text, encoding).body;
      const spliced = compressParts({ head: head(1), fixed: fixed.use(), tail: '' }, encoding).body;
      expect(spliced.equals(whole)).toBe(false);
      expect(decoders[encoding](spliced).equals(decoders[encoding](whole))).toBe(true);
    },
  );

  it('keeps the threshold and identity of compressBody', () => {
    const fixed = new ReusedText('z'.repeat(500)).use().use();
    expect(compressParts({ head: '{', fixed, tail: '}' }, 'gzip').encoding).toBe('identity');
    expect(compressParts({ head: '{', fixed, tail: '}' }, 'gzip', 100).encoding).toBe('gzip');
    expect(compressParts({ head: '{', fixed, tail: '}' }, 'identity')).toEqual({
      body: Buffer.from(`{${fixed.text}}`),
      encoding: 'identity',
    });
  });

  it('writes uncompressed brotli meta-blocks of every header size', () => {
    for (const size of [1, 2, 65_536, 65_537, 1_048_577]) {
      const bytes = Buffer.alloc(size, 'a');
      bytes[size - 1] = 0x62;
      // A stream the encoder flushed to a byte boundary without ending it, then the block, then the end.
      const start = brotliCompressSync('head', { finishFlush: constants.BROTLI_OPERATION_FLUSH });
      const stream = Buffer.concat([start, brotliUncompressedMetaBlock(bytes), Buffer.from([0x03])]);
      expect(brotliDecompressSync(stream).equals(Buffer.concat([Buffer.from('head'), bytes]))).toBe(true);
    }
  });
});
