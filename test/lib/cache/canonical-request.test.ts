import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestHash } from '#lib/cache/canonical-request';
import { canonicalJson } from '#lib/canonical-json';

describe('canonical request', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(
      canonicalJson({ b: 1, a: { d: [3, undefined], c: undefined }, e: new Date(Date.UTC(2025, 0, 2)) }),
    ).toBe('{"a":{"d":[3,null]},"b":1,"e":"2025-01-02T00:00:00.000Z"}');
  });

  it('hashes equal requests alike whatever the key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (params) => {
        const reversed = Object.fromEntries(Object.entries(params).reverse());
        expect(requestHash({ params: reversed })).toBe(requestHash({ params }));
      }),
    );
  });

  it('reads back as the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value) ?? 'null'));
      }),
    );
  });

  it('is a 64-character hex sha256 that tells different requests apart', () => {
    expect(requestHash({ iso: 'PJM' })).toMatch(/^[0-9a-f]{64}$/);
    expect(requestHash({ iso: 'PJM' })).not.toBe(requestHash({ iso: 'ERCOT' }));
    expect(requestHash({ limit: 1 })).not.toBe(requestHash({ limit: '1' }));
  });
});
