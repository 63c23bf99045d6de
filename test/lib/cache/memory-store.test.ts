import { describe, expect, it } from 'vitest';
import { MemoryStore } from '#lib/cache/memory-store';

describe('MemoryStore', () => {
  it('gets what was set, and null for what was not', async () => {
    const store = new MemoryStore();
    await store.set('k', 'v', 60);
    expect(await store.get('k')).toBe('v');
    expect(await store.get('missing')).toBeNull();
  });

  it('increments from zero and reads counters back as strings', async () => {
    const store = new MemoryStore();
    expect(await store.incr('aurum:curves:version')).toBe(1);
    expect(await store.incr('aurum:curves:version')).toBe(2);
    expect(await store.get('aurum:curves:version')).toBe('2');
    await store.set('text', 'abc', 60);
    await expect(store.incr('text')).rejects.toThrow(/not an integer/);
  });

  it('evicts least recently used entries but never a counter', async () => {
    const store = new MemoryStore({ maxEntries: 2 });
    await store.incr('aurum:curves:version');
    await store.set('a', '1', 60);
    await store.set('b', '2', 60);
    await store.get('a');
    await store.set('c', '3', 60);

    expect(await store.get('b')).toBeNull();
    expect(await store.get('a')).toBe('1');
    expect(await store.get('aurum:curves:version')).toBe('1');
  });
});
