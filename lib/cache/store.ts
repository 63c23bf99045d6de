/**
 * The cache port. Values are opaque strings (the manager serialises entries); adapters are the
 * in-process LRU (`MemoryStore`) and Upstash Redis over REST (`UpstashStore`).
 */
export interface CacheStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Atomically adds one and returns the new value (a missing key counts as 0). */
  incr(key: string): Promise<number>;
  ping(): Promise<void>;
  readonly name: 'memory' | 'upstash';
  /**
   * Sets `key` to `value` only if it is absent, expiring after `leaseMs`; true when this call set it. A
   * store shared by containers implements it (and `deleteIfEquals`), so a miss can take a short lock per
   * key and the other containers wait for its entry instead of querying too.
   */
  setIfAbsent?(key: string, value: string, leaseMs: number): Promise<boolean>;
  /** Deletes `key` only while it still holds `value`: releases a lock this caller took. */
  deleteIfEquals?(key: string, value: string): Promise<void>;
}

/** A store call that failed or did not answer in time; the manager treats it as a miss. */
export class CacheStoreError extends Error {
  readonly kind: 'timeout' | 'unavailable';

  constructor(kind: 'timeout' | 'unavailable', message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CacheStoreError';
    this.kind = kind;
  }
}

/**
 * Settles with `work`, or rejects with a timeout `CacheStoreError` after `ms`. The abandoned
 * promise keeps running, so its late rejection is swallowed here rather than left unhandled.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  if (!(ms > 0) || ms === Number.POSITIVE_INFINITY) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new CacheStoreError('timeout', `${what} did not answer within ${ms} ms`));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(
          error instanceof CacheStoreError
            ? error
            : new CacheStoreError('unavailable', `${what} failed`, { cause: error }),
        );
      },
    );
  });
}
