import { describe, expect, it } from 'vitest';
import { Lru } from '#lib/cache/lru';

describe('Lru', () => {
  it('evicts the least recently used entry past max, counting a read as a use', () => {
    const lru = new Lru<number>({ max: 2 });
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    expect(lru.size).toBe(2);
  });

  it('expires an entry after its ttl on the injected clock, and forgets its size', () => {
    let now = 1_000;
    const lru = new Lru<string>({ max: 10, maxSize: 100, sizeOf: (v) => v.length, now: () => now });
    lru.set('k', 'value', 500);
    lru.set('forever', 'x');
    now = 1_499;
    expect(lru.get('k')).toBe('value');
    now = 1_500;
    expect(lru.get('k')).toBeUndefined();
    expect(lru.totalSize).toBe(1);
    now = 1_000_000_000;
    expect(lru.get('forever')).toBe('x');
  });

  it('keeps the total size within maxSize, evicting oldest first, and refuses an entry larger than maxSize', () => {
    const lru = new Lru<string>({ max: 100, maxSize: 10, sizeOf: (v) => v.length });
    lru.set('a', 'aaaa');
    lru.set('b', 'bbbb');
    lru.set('c', 'cccc'); // 12 > 10: a goes
    expect(lru.get('a')).toBeUndefined();
    expect(lru.totalSize).toBe(8);
    lru.set('huge', 'x'.repeat(11));
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.get('b')).toBe('bbbb');
    expect(lru.totalSize).toBe(8);
  });

  it('replacing a key updates its value and size, and delete frees it', () => {
    const lru = new Lru<string>({ max: 5, maxSize: 100, sizeOf: (v) => v.length });
    lru.set('k', 'abc');
    lru.set('k', 'abcdef');
    expect(lru.get('k')).toBe('abcdef');
    expect(lru.totalSize).toBe(6);
    expect(lru.delete('k')).toBe(true);
    expect(lru.delete('k')).toBe(false);
    expect(lru.totalSize).toBe(0);
    expect(lru.size).toBe(0);
  });

  it('refuses a bound below one entry', () => {
    expect(() => new Lru({ max: 0 })).toThrow(RangeError);
  });
});
