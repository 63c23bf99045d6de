import { Lru } from './lru.ts';
import type { CacheStore } from './store.ts';

export interface MemoryStoreOptions {
  /** Most entries kept; least recently used go first. */
  maxEntries?: number;
  /** Most UTF-16 code units of values kept (a proxy for bytes). */
  maxChars?: number;
}

/**
 * The in-process adapter: the embedded default of `npm start` and the per-container L1 in front
 * of Upstash. Counters (scope versions) live outside the LRU so that evicting one can never bring
 * an invalidated version's entries back.
 */
export class MemoryStore implements CacheStore {
  readonly name = 'memory' as const;
  readonly #entries: Lru<string>;
  readonly #counters = new Map<string, number>();

  constructor(options: MemoryStoreOptions = {}) {
    this.#entries = new Lru<string>({
      max: options.maxEntries ?? 5_000,
      maxSize: options.maxChars ?? 64 * 1024 * 1024,
      sizeOf: (value, key) => value.length + key.length || 1,
    });
  }

  async get(key: string): Promise<string | null> {
    const counter = this.#counters.get(key);
    if (counter !== undefined) return String(counter);
    return this.#entries.get(key) ?? null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.#counters.delete(key);
    this.#entries.set(key, value, Math.max(1, Math.ceil(ttlSeconds)) * 1000);
  }

  async incr(key: string): Promise<number> {
    const current = this.#counters.get(key) ?? Number(this.#entries.get(key) ?? 0);
    if (!Number.isSafeInteger(current)) throw new TypeError('ERR value is not an integer or out of range');
    this.#entries.delete(key);
    this.#counters.set(key, current + 1);
    return current + 1;
  }

  async ping(): Promise<void> {}

  /** Entries currently held (for tests and diagnostics). */
  get size(): number {
    return this.#entries.size;
  }
}
