import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '#lib/canonical-json';
import { computeEtag, etagMatches } from '#lib/http/etag';

const page = {
  data: [{ curve_key: 'PJM_WEST', tenor_label: 'Jan-25', mid: 42.5, bid: null }],
  next_cursor: 'abc.def',
};

describe('canonicalJson', () => {
  it('sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('follows JSON semantics for dates, undefined, non-finite numbers and bigints', () => {
    expect(
      canonicalJson({
        when: new Date(Date.UTC(2025, 0, 1)),
        gone: undefined,
        list: [undefined, Number.NaN, Number.POSITIVE_INFINITY],
        big: 9007199254740993n,
      }),
    ).toBe('{"big":9007199254740993,"list":[null,null,null],"when":"2025-01-01T00:00:00.000Z"}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('rejects cycles instead of recursing forever', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('parses back to the same value for plain JSON data (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('computeEtag', () => {
  it('is a strong quoted tag of 27 base64url characters of the SHA-256 of the canonical JSON', () => {
    const etag = computeEtag(page);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const expected = createHash('sha256').update(canonicalJson(page)).digest('base64url').slice(0, 27);
    expect(etag).toBe(`"${expected}"`);
  });

  it('does not depend on key order', () => {
    const reordered = {
      next_cursor: 'abc.def',
      data: [{ bid: null, mid: 42.5, tenor_label: 'Jan-25', curve_key: 'PJM_WEST' }],
    };
    expect(computeEtag(reordered)).toBe(computeEtag(page));
  });

  it('changes when any value changes', () => {
    expect(computeEtag({ ...page, next_cursor: 'abc.deg' })).not.toBe(computeEtag(page));
    expect(computeEtag({ data: [{ ...page.data[0], mid: 42.51 }] })).not.toBe(
      computeEtag({ data: page.data }),
    );
    expect(computeEtag([1, 2])).not.toBe(computeEtag([2, 1]));
  });
});

describe('etagMatches', () => {
  const etag = computeEtag(page);
  const opaque = etag.slice(1, -1);

  it.each<[string, string | undefined, boolean]>([
    ['absent header', undefined, false],
    ['empty header', '', false],
    ['same tag', etag, true],
    ['wildcard', '*', true],
    ['wildcard with spaces', '  * ', true],
    ['weak form of the same tag', `W/${etag}`, true],
    ['tag in a list', `"other", ${etag}, "third"`, true],
    ['weak tag in a list without spaces', `"other",W/${etag}`, true],
    ['unquoted tag', opaque, true],
    ['different tag', '"not-the-same"', false],
    ['list without the tag', '"a", W/"b"', false],
    ['prefix of the tag', `"${opaque.slice(0, 10)}"`, false],
    ['tag with extra characters', `"${opaque}x"`, false],
    ['tag embedded in a longer value', `"x${opaque}x"`, false],
    ['quoted empty tag', '""', false],
    ['unterminated quote', `"${opaque}`, false],
    ['wildcard inside a list is not a wildcard', '"a", *', false],
  ])('%s → %s', (_case, header, expected) => {
    expect(etagMatches(header, etag)).toBe(expected);
  });

  it('compares weakly when the current tag is weak', () => {
    expect(etagMatches(etag, `W/${etag}`)).toBe(true);
    expect(etagMatches(`W/${etag}`, `W/${etag}`)).toBe(true);
  });

  it('accepts a tag containing a comma when it is quoted', () => {
    expect(etagMatches('"a,b", "c"', '"a,b"')).toBe(true);
    expect(etagMatches('"a,b", "c"', '"a"')).toBe(false);
  });
});
