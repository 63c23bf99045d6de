import { describe, expect, it } from 'vitest';
import { lazy, once } from '#lib/lazy';

describe('once', () => {
  it('builds on the first call only and returns the same object after', () => {
    let builds = 0;
    const schema = once(() => {
      builds += 1;
      return { built: builds };
    });
    expect(builds).toBe(0);
    const first = schema();
    expect(schema()).toBe(first);
    expect(builds).toBe(1);
  });

  it('tries a build that threw again on the next call', () => {
    let calls = 0;
    const value = once(() => {
      calls += 1;
      if (calls === 1) throw new Error('not yet');
      return calls;
    });
    expect(() => value()).toThrow('not yet');
    expect(value()).toBe(2);
    expect(value()).toBe(2);
  });
});

describe('lazy', () => {
  it('shares one opening between callers and forgets a failure', async () => {
    let opens = 0;
    const open = lazy(async () => {
      opens += 1;
      if (opens === 1) throw new Error('down');
      return opens;
    });
    await expect(open()).rejects.toThrow('down');
    const [a, b] = await Promise.all([open(), open()]);
    expect([a, b, opens]).toEqual([2, 2, 2]);
  });
});
