import { describe, expect, it } from 'vitest';
import { cacheControl, mergeVary } from '#lib/http/cache-control';

describe('cacheControl', () => {
  it.each([
    [0, 'no-store'],
    [-5, 'no-store'],
    [1, 'public, max-age=1, stale-while-revalidate=1, stale-if-error=3'],
    [60, 'public, max-age=60, stale-while-revalidate=30, stale-if-error=180'],
    [300, 'public, max-age=300, stale-while-revalidate=150, stale-if-error=900'],
    [7200, 'public, max-age=7200, stale-while-revalidate=600, stale-if-error=21600'],
    [100000, 'public, max-age=100000, stale-while-revalidate=600, stale-if-error=86400'],
  ])('max-age %s → %s', (seconds, header) => {
    expect(cacheControl(seconds)).toBe(header);
  });

  it('marks per-tenant answers private', () => {
    expect(cacheControl(60, 'private')).toBe(
      'private, max-age=60, stale-while-revalidate=30, stale-if-error=180',
    );
    expect(cacheControl(0, 'private')).toBe('no-store');
  });

  it('rounds fractional seconds down and treats under a second or NaN as no-store', () => {
    expect(cacheControl(61.9)).toBe('public, max-age=61, stale-while-revalidate=30, stale-if-error=183');
    expect(cacheControl(0.5)).toBe('no-store');
    expect(cacheControl(Number.NaN)).toBe('no-store');
  });

  it('refuses an infinite max-age', () => {
    expect(() => cacheControl(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('mergeVary', () => {
  it('adds to nothing', () => {
    expect(mergeVary(undefined, 'Accept', 'Accept-Encoding')).toBe('Accept, Accept-Encoding');
  });

  it('merges, de-duplicates case-insensitively and sorts', () => {
    expect(mergeVary('Origin, accept-encoding', 'Accept', 'Accept-Encoding')).toBe(
      'Accept, accept-encoding, Origin',
    );
  });

  it('splits comma lists in every argument and drops empty members', () => {
    expect(mergeVary(' , Origin,,', 'Accept-Encoding, Accept', '')).toBe('Accept, Accept-Encoding, Origin');
  });

  it('collapses to * when any side varies on everything', () => {
    expect(mergeVary('*', 'Accept')).toBe('*');
    expect(mergeVary('Accept', ' * ')).toBe('*');
  });

  it('is empty when there is nothing to vary on', () => {
    expect(mergeVary(undefined)).toBe('');
    expect(mergeVary('', '')).toBe('');
  });
});
