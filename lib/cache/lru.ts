/**
 * A bounded map with least-recently-used eviction and per-entry expiry: what the memory store, the L1 and
 * the in-process rate limiter need, in a few lines over `Map`'s insertion order (a read moves the entry to
 * the end; eviction takes from the front). Replaces a general-purpose LRU package that every function
 * loaded at import for these three uses.
 */
export interface LruOptions<V> {
  /** Most entries kept. */
  max: number;
  /** Most total size kept, as `sizeOf` counts it; an entry larger than this on its own is not stored. */
  maxSize?: number;
  sizeOf?: (value: V, key: string) => number;
  /** The clock of expiries, in ms (default `performance.now`). */
  now?: () => number;
}

interface Slot<V> {
  value: V;
  size: number;
  expiresAt: number;
}

export class Lru<V> {
  readonly #slots = new Map<string, Slot<V>>();
  readonly #max: number;
  readonly #maxSize: number;
  readonly #sizeOf: (value: V, key: string) => number;
  readonly #now: () => number;
  #total = 0;

  constructor(options: LruOptions<V>) {
    if (!(options.max >= 1)) throw new RangeError('an LRU holds at least one entry');
    this.#max = options.max;
    this.#maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    this.#sizeOf = options.sizeOf ?? (() => 1);
    this.#now = options.now ?? (() => performance.now());
  }

  /** The live value, made the most recently used; an expired one is dropped and reads as absent. */
  get(key: string): V | undefined {
    const slot = this.#slots.get(key);
    if (!slot) return undefined;
    this.#slots.delete(key);
    if (slot.expiresAt <= this.#now()) {
      this.#total -= slot.size;
      return undefined;
    }
    this.#slots.set(key, slot);
    return slot.value;
  }

  /** Stores `value` (expiring after `ttlMs`, if given), then evicts the least recently used past the bounds. */
  set(key: string, value: V, ttlMs?: number): void {
    this.delete(key);
    const size = this.#sizeOf(value, key);
    if (size > this.#maxSize) return;
    const expiresAt = ttlMs === undefined ? Number.POSITIVE_INFINITY : this.#now() + ttlMs;
    this.#slots.set(key, { value, size, expiresAt });
    this.#total += size;
    while (this.#slots.size > this.#max || this.#total > this.#maxSize) {
      const oldest = this.#slots.keys().next().value as string;
      this.delete(oldest);
    }
  }

  delete(key: string): boolean {
    const slot = this.#slots.get(key);
    if (!slot) return false;
    this.#slots.delete(key);
    this.#total -= slot.size;
    return true;
  }

  /** Entries held, expired ones not yet read included. */
  get size(): number {
    return this.#slots.size;
  }

  /** Total size held, as `sizeOf` counts it. */
  get totalSize(): number {
    return this.#total;
  }
}
