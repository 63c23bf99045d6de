import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressBody, type Encoding, negotiateEncoding } from '#lib/http/compression';

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
