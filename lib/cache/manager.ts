import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import '#lib/schema';
import { once } from '#lib/lazy';
import { requestHash } from './canonical-request.ts';
import { MemoryStore, type MemoryStoreOptions } from './memory-store.ts';
import { type CacheMetrics, noopCacheMetrics } from './metrics.ts';
import { CACHE_POLICIES, type CachePolicy } from './policies.ts';
import { type CacheStore, withTimeout } from './store.ts';

export type CacheStatus = 'hit' | 'miss' | 'stale';

export interface CacheResult<T> {
  value: T;
  status: CacheStatus;
}

export interface WarmUpReport {
  scope: string;
  ok: boolean;
  durationMs: number;
  error?: string;
}

export interface CacheManagerOptions {
  store: CacheStore;
  policies?: Record<string, CachePolicy>;
  metrics?: CacheMetrics;
  /** Longest wait for a store read or write before it counts as a miss (default 150 ms). */
  timeoutMs?: number;
  /** Longest wait for the INCR of an invalidation, which fails loudly instead (default 1 s). */
  invalidateTimeoutMs?: number;
  now?: () => number;
  /** Keep a small in-process LRU in front of the store (worth it only when the store is remote). */
  l1?: boolean;
  l1Options?: MemoryStoreOptions;
  /**
   * How long a scope version read from the store is trusted (default 1 s; 0 reads it on every
   * request). This container sees its own invalidations at once; other containers within this
   * window. Trusting it saves one store round trip per request, paid for with that delay.
   */
  versionTtlMs?: number;
  /** First segment of every key (default `aurum`); tests use their own to share a Redis. */
  namespace?: string;
  /** Serialised entries longer than this are served but not stored (Upstash caps request size). */
  maxEntryChars?: number;
  /**
   * After a store read or write fails or times out, leave the store alone for this long (default
   * 1 s; 0 never): requests use L1 or the backend, so an outage costs one timeout per interval
   * instead of one per request.
   */
  storeCoolDownMs?: number;
  /**
   * With an entry within stale-if-error, how long a load may take before that entry is served (default
   * 1.5 s): the load goes on in the background and lands in the cache when it finishes.
   */
  staleAfterMs?: number;
  /**
   * Single flight across containers, on a store that can take locks (Upstash): a miss first sets
   * `{key}:lock` if absent, for `lockLeaseMs` (default 5 s); the containers that find it taken poll the
   * store every `lockPollMs` (50 ms) for the entry, for at most `lockWaitMs` (default 2 s), then load
   * themselves. A store that is slow or down is skipped: the in-process single flight still holds.
   */
  lockLeaseMs?: number;
  lockWaitMs?: number;
  lockPollMs?: number;
}

/** How long a miss waits for another container's load of the same key (`lockWaitMs`). */
export const DEFAULT_LOCK_WAIT_MS = 2_000;

const DECODED_MAX_ENTRIES = 500;
const DECODED_MAX_CHARS = 16 * 1024 * 1024;

/** What a miss learnt from the cross-container lock: it holds it, another container does, or no lock applies. */
type Lock = { kind: 'held'; token: string } | { kind: 'busy' } | { kind: 'none' };

/** How long a load may run before a stale-if-error entry is served instead (`staleAfterMs`). */
export const DEFAULT_STALE_AFTER_MS = 1_500;

/** A stored entry: the value and when it was loaded (epoch ms); built when the first stored entry is read. */
const storedEntrySchema = once(() => z.object({ v: z.unknown(), t: z.number() }));

interface Entry<T> {
  value: T;
  storedAt: number;
  raw: string;
}

interface KnownVersion {
  version: number;
  readAt: number;
}

/**
 * Read-through cache over a `CacheStore`: keys `{ns}:{scope}:v{n}:{sha256}`, stale-while-revalidate
 * and stale-if-error per policy, single flight per key, and a store that fails or is slow treated
 * as a miss (never an error).
 *
 * Versions: each scope's version (`{ns}:{scope}:version`) is part of every key, in L1 too, so no
 * old-version entry can be served. It is re-read at most once per `versionTtlMs` (1 s): one round
 * trip saved per request, at the price of other containers seeing an invalidation up to 1 s late
 * (this container sees its own at once). If it cannot be read and none is known, the request
 * bypasses the cache. After a store failure the store is left alone for `storeCoolDownMs`, so an
 * outage costs one `timeoutMs` wait per interval, not one per request.
 *
 * Background refreshes started by stale serves are not awaited by `through`; on Lambda, call
 * `idle()` before the handler returns if the refresh must land before the container freezes.
 */
export class CacheManager {
  readonly store: CacheStore;
  readonly #policies: Map<string, CachePolicy>;
  readonly #metrics: CacheMetrics;
  readonly #timeoutMs: number;
  readonly #invalidateTimeoutMs: number;
  readonly #now: () => number;
  readonly #l1: MemoryStore | undefined;
  readonly #versionTtlMs: number;
  readonly #namespace: string;
  readonly #maxEntryChars: number;
  readonly #storeCoolDownMs: number;
  readonly #staleAfterMs: number;
  readonly #lockLeaseMs: number;
  readonly #lockWaitMs: number;
  readonly #lockPollMs: number;
  #storeDownUntil = Number.NEGATIVE_INFINITY;

  readonly #versions = new Map<string, KnownVersion>();
  readonly #versionReads = new Map<string, Promise<number | undefined>>();
  /** Bumped by each local invalidation, so a version read that started before it cannot win. */
  readonly #invalidations = new Map<string, number>();
  readonly #flights = new Map<string, Promise<CacheResult<unknown>>>();
  readonly #loads = new Map<string, Promise<unknown>>();
  readonly #refreshes = new Set<Promise<void>>();
  /**
   * The entries this container decoded or wrote lately, by key, with the exact text they came from: a hit
   * whose store returns that same text (the memory store and L1 return the very string) reuses the decoded
   * value, already validated, instead of parsing and validating it again.
   */
  readonly #decoded = new Map<string, Entry<unknown>>();
  #decodedChars = 0;

  constructor(options: CacheManagerOptions) {
    this.store = options.store;
    this.#policies = new Map(
      Object.entries(options.policies ?? CACHE_POLICIES).map(([scope, policy]) => [scope, { ...policy }]),
    );
    this.#metrics = options.metrics ?? noopCacheMetrics;
    this.#timeoutMs = options.timeoutMs ?? 150;
    this.#invalidateTimeoutMs = options.invalidateTimeoutMs ?? 1_000;
    this.#now = options.now ?? Date.now;
    this.#l1 = options.l1
      ? new MemoryStore({ maxEntries: 500, maxChars: 16 * 1024 * 1024, ...options.l1Options })
      : undefined;
    this.#versionTtlMs = options.versionTtlMs ?? 1_000;
    this.#namespace = options.namespace ?? 'aurum';
    this.#maxEntryChars = options.maxEntryChars ?? 1_000_000;
    this.#storeCoolDownMs = options.storeCoolDownMs ?? 1_000;
    this.#staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    this.#lockLeaseMs = options.lockLeaseMs ?? 5_000;
    this.#lockWaitMs = options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
    this.#lockPollMs = options.lockPollMs ?? 50;
  }

  /** The policy of a scope; unknown scopes are a programming error and throw. */
  policy(scope: string): CachePolicy {
    const policy = this.#policies.get(scope);
    if (!policy) throw new RangeError(`Unknown cache scope "${scope}"`);
    return policy;
  }

  get scopes(): string[] {
    return [...this.#policies.keys()];
  }

  /**
   * The value for `request` in `scope`: from the cache when fresh ('hit'), from the cache while
   * one background refresh runs when within stale-while-revalidate ('stale'), else from `load`
   * ('miss'). If an entry within stale-if-error exists and `load` throws, or has not finished within
   * `staleAfterMs`, that entry is served ('stale') and a slow load finishes in the background; otherwise
   * the load error is rethrown. `parse` validates what the store returned;
   * an entry it rejects is a miss.
   */
  async through<T>(
    scope: string,
    request: unknown,
    load: () => Promise<T>,
    parse?: (raw: unknown) => T,
  ): Promise<CacheResult<T>> {
    const policy = this.policy(scope);
    const version = policy.ttlSeconds > 0 ? await this.#version(scope) : undefined;
    if (version === undefined) {
      // No caching for this scope, or the version is unknown: a cached entry might belong to an invalidated version.
      const value =
        policy.ttlSeconds > 0
          ? await this.#uncachedOnce(scope, request, load)
          : await this.#timedLoad(scope, load);
      this.#metrics.cacheEvent(scope, 'miss');
      return { value, status: 'miss' };
    }
    const key = this.#entryKey(scope, version, request);
    let flight = this.#flights.get(key) as Promise<CacheResult<T>> | undefined;
    if (!flight) {
      flight = this.#lookup(policy, key, load, parse).finally(() => this.#flights.delete(key));
      this.#flights.set(key, flight);
    }
    const result = await flight;
    this.#metrics.cacheEvent(scope, result.status);
    return result;
  }

  /**
   * A load while the store cannot say the scope's version (Redis slow or down, nothing known yet): nothing
   * is read or stored, but concurrent requests for one key in this container still share one load.
   */
  #uncachedOnce<T>(scope: string, request: unknown, load: () => Promise<T>): Promise<T> {
    const key = `${this.#namespace}:${scope}:unversioned:${requestHash(request)}`;
    const running = this.#loads.get(key) as Promise<T> | undefined;
    if (running) return running;
    const loading = this.#timedLoad(scope, load).finally(() => this.#loads.delete(key));
    this.#loads.set(key, loading);
    return loading;
  }

  /** Makes every entry of `scope` unreachable with one INCR of its version. Store failures throw. */
  async invalidate(scope: string): Promise<{ scope: string; version: number }> {
    this.policy(scope);
    this.#invalidations.set(scope, (this.#invalidations.get(scope) ?? 0) + 1);
    const version = await withTimeout(
      this.store.incr(this.#versionKey(scope)),
      this.#invalidateTimeoutMs,
      `cache invalidation of ${scope}`,
    );
    this.#versions.set(scope, { version, readAt: this.#now() });
    this.#metrics.cacheEvent(scope, 'invalidation');
    return { scope, version };
  }

  registerWarmUp(scope: string, fn: () => Promise<void>): void {
    this.policy(scope).warmUp = fn;
  }

  /**
   * Runs the warm-up functions of `scopes` concurrently. Errors are reported per scope (message
   * included: this report is for operators, not for public clients).
   */
  async warm(scopes: string[]): Promise<WarmUpReport[]> {
    return Promise.all(
      scopes.map(async (scope): Promise<WarmUpReport> => {
        const started = performance.now();
        const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
        const policy = this.#policies.get(scope);
        if (!policy) return { scope, ok: false, durationMs: 0, error: 'unknown cache scope' };
        const warmUp = policy.warmUp;
        if (!warmUp) return { scope, ok: false, durationMs: 0, error: 'no warm-up function registered' };
        try {
          await warmUp();
          return { scope, ok: true, durationMs: elapsed() };
        } catch (error) {
          return {
            scope,
            ok: false,
            durationMs: elapsed(),
            error: error instanceof Error ? error.message : String(error),
          };
        }
      }),
    );
  }

  /** The key `request` has in `scope` now (the last known version if the store cannot be read). */
  async key(scope: string, request: unknown): Promise<string> {
    this.policy(scope);
    const version = (await this.#version(scope)) ?? this.#versions.get(scope)?.version ?? 0;
    return this.#entryKey(scope, version, request);
  }

  /** Resolves when every background refresh started so far has settled. */
  async idle(): Promise<void> {
    while (this.#refreshes.size > 0) await Promise.all([...this.#refreshes]);
  }

  #versionKey(scope: string): string {
    return `${this.#namespace}:${scope}:version`;
  }

  #entryKey(scope: string, version: number, request: unknown): string {
    return `${this.#namespace}:${scope}:v${version}:${requestHash(request)}`;
  }

  async #version(scope: string): Promise<number | undefined> {
    const known = this.#versions.get(scope);
    if (known && this.#now() - known.readAt < this.#versionTtlMs) return known.version;
    let pending = this.#versionReads.get(scope);
    if (!pending) {
      pending = this.#readVersion(scope).finally(() => this.#versionReads.delete(scope));
      this.#versionReads.set(scope, pending);
    }
    return pending;
  }

  #storeAvailable(): boolean {
    return this.#now() >= this.#storeDownUntil;
  }

  #storeFailed(scope: string): void {
    this.#metrics.cacheEvent(scope, 'error');
    this.#storeDownUntil = this.#now() + this.#storeCoolDownMs;
  }

  async #readVersion(scope: string): Promise<number | undefined> {
    const invalidationsBefore = this.#invalidations.get(scope) ?? 0;
    const known = this.#versions.get(scope);
    if (!this.#storeAvailable()) return known?.version;
    try {
      const raw = await withTimeout(
        this.store.get(this.#versionKey(scope)),
        this.#timeoutMs,
        'cache version read',
      );
      const version = raw === null ? 0 : Number(raw);
      if (!Number.isSafeInteger(version) || version < 0)
        throw new TypeError(`Bad version for scope ${scope}`);
      if ((this.#invalidations.get(scope) ?? 0) !== invalidationsBefore)
        return this.#versions.get(scope)?.version;
      this.#versions.set(scope, { version, readAt: this.#now() });
      return version;
    } catch {
      this.#storeFailed(scope);
      // Keep the last known version and read it again after the usual interval.
      if (known) this.#versions.set(scope, { version: known.version, readAt: this.#now() });
      return known?.version;
    }
  }

  async #lookup<T>(
    policy: CachePolicy,
    key: string,
    load: () => Promise<T>,
    parse: ((raw: unknown) => T) | undefined,
  ): Promise<CacheResult<T>> {
    const ttlMs = policy.ttlSeconds * 1000;
    const entry = await this.#read(policy, key, parse);
    const age = entry ? this.#now() - entry.storedAt : Number.POSITIVE_INFINITY;
    if (entry && age <= ttlMs) return { value: entry.value, status: 'hit' };
    if (entry && age <= ttlMs + policy.staleWhileRevalidateSeconds * 1000) {
      this.#refreshInBackground(policy, key, load, parse);
      return { value: entry.value, status: 'stale' };
    }
    const fallback = entry && age <= ttlMs + policy.staleIfErrorSeconds * 1000 ? entry : null;
    const loading = this.#loadOnce(policy, key, load, parse);
    if (!fallback) return { value: await loading, status: 'miss' };
    const late = await this.#within(loading, this.#staleAfterMs);
    if (late === 'late') {
      // The data store is slow: answer from the stale entry now and let the load land in the cache.
      this.#track(policy, loading);
      return { value: fallback.value, status: 'stale' };
    }
    return late.ok ? { value: late.value, status: 'miss' } : { value: fallback.value, status: 'stale' };
  }

  /** How `work` settles within `ms`, or `'late'`; the timer never outlives the answer. */
  async #within<T>(work: Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false } | 'late'> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ms);
    });
    try {
      return await Promise.race([
        work.then(
          (value) => ({ ok: true as const, value }),
          () => ({ ok: false as const }),
        ),
        late,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The newest usable entry from L1 or the store; the store is asked only when L1 has nothing fresh. */
  async #read<T>(
    policy: CachePolicy,
    key: string,
    parse: ((raw: unknown) => T) | undefined,
  ): Promise<Entry<T> | null> {
    const local = this.#l1 ? this.#decode(policy.scope, key, await this.#l1.get(key), parse) : null;
    if (local && this.#now() - local.storedAt <= policy.ttlSeconds * 1000) return local;
    if (!this.#storeAvailable()) return local;
    let raw: string | null = null;
    try {
      raw = await withTimeout(this.store.get(key), this.#timeoutMs, 'cache read');
    } catch {
      this.#storeFailed(policy.scope);
    }
    const remote = this.#decode(policy.scope, key, raw, parse);
    if (remote && (!local || remote.storedAt > local.storedAt)) {
      await this.#writeL1(policy, key, remote);
      return remote;
    }
    return local;
  }

  #decode<T>(
    scope: string,
    key: string,
    raw: string | null,
    parse: ((raw: unknown) => T) | undefined,
  ): Entry<T> | null {
    if (raw === null) return null;
    const known = this.#decoded.get(key);
    if (known !== undefined && known.raw === raw) return known as Entry<T>;
    try {
      const stored = storedEntrySchema().parse(JSON.parse(raw));
      const value = parse ? parse(stored.v) : (stored.v as T);
      const entry = { value, storedAt: stored.t, raw };
      this.#remember(key, entry);
      return entry;
    } catch {
      // An entry written by an older release or corrupted in transit is a miss, not a failure.
      this.#metrics.cacheEvent(scope, 'error');
      return null;
    }
  }

  /** Keeps a decoded entry for reuse, within 500 entries and 16 M characters of source text. */
  #remember(key: string, entry: Entry<unknown>): void {
    const previous = this.#decoded.get(key);
    if (previous) {
      this.#decoded.delete(key);
      this.#decodedChars -= previous.raw.length;
    }
    if (entry.raw.length > DECODED_MAX_CHARS) return;
    this.#decoded.set(key, entry);
    this.#decodedChars += entry.raw.length;
    for (const [oldest, old] of this.#decoded) {
      if (this.#decoded.size <= DECODED_MAX_ENTRIES && this.#decodedChars <= DECODED_MAX_CHARS) break;
      this.#decoded.delete(oldest);
      this.#decodedChars -= old.raw.length;
    }
  }

  #retentionSeconds(policy: CachePolicy): number {
    return policy.ttlSeconds + Math.max(policy.staleWhileRevalidateSeconds, policy.staleIfErrorSeconds);
  }

  async #writeL1<T>(policy: CachePolicy, key: string, entry: Entry<T>): Promise<void> {
    if (!this.#l1) return;
    const remainingSeconds = this.#retentionSeconds(policy) - (this.#now() - entry.storedAt) / 1000;
    if (remainingSeconds > 0) await this.#l1.set(key, entry.raw, remainingSeconds);
  }

  async #timedLoad<T>(scope: string, load: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await load();
    } finally {
      this.#metrics.backendLatency(scope, performance.now() - started);
    }
  }

  /**
   * One load per key at a time in this container, shared by misses and background refreshes; across
   * containers, one per key while its lock is held (the others take the entry it stores).
   */
  #loadOnce<T>(
    policy: CachePolicy,
    key: string,
    load: () => Promise<T>,
    parse?: (raw: unknown) => T,
  ): Promise<T> {
    const running = this.#loads.get(key) as Promise<T> | undefined;
    if (running) return running;
    const loading = (async () => {
      let lock = await this.#lock(policy, key);
      if (lock.kind === 'busy') {
        const waited = await this.#awaitEntry(policy, key, parse);
        if ('entry' in waited) return waited.entry.value;
        lock = waited.lock;
      }
      const startedAt = this.#now();
      let stored = false;
      try {
        const value = await this.#timedLoad(policy.scope, load);
        stored = await this.#write(policy, key, value, startedAt);
        return value;
      } finally {
        // A stored entry answers the waiters; the lock then expires by itself, so none of them loads again.
        if (lock.kind === 'held' && !stored) this.#unlock(key, lock.token);
      }
    })().finally(() => this.#loads.delete(key));
    this.#loads.set(key, loading);
    return loading;
  }

  #lockKey(key: string): string {
    return `${key}:lock`;
  }

  /** Takes the key's cross-container lock; a store that cannot, or fails, means no lock (fail open). */
  async #lock(policy: CachePolicy, key: string): Promise<Lock> {
    const store = this.store;
    if (!store.setIfAbsent || !this.#storeAvailable()) return { kind: 'none' };
    const token = randomUUID();
    try {
      const taken = await withTimeout(
        store.setIfAbsent(this.#lockKey(key), token, this.#lockLeaseMs),
        this.#timeoutMs,
        'cache lock',
      );
      return taken ? { kind: 'held', token } : { kind: 'busy' };
    } catch {
      this.#storeFailed(policy.scope);
      return { kind: 'none' };
    }
  }

  #unlock(key: string, token: string): void {
    const release = this.store.deleteIfEquals?.(this.#lockKey(key), token);
    // Best effort: an unreleased lock expires with its lease.
    if (release) void withTimeout(release, this.#timeoutMs, 'cache unlock').catch(() => undefined);
  }

  /**
   * Waits for the lock holder's entry: polls the store for a fresh one, and takes the lock itself if the
   * holder let it go without storing one. Gives up (no lock: load here) after `lockWaitMs` or on a store failure.
   */
  async #awaitEntry<T>(
    policy: CachePolicy,
    key: string,
    parse: ((raw: unknown) => T) | undefined,
  ): Promise<{ entry: Entry<T> } | { lock: Lock }> {
    const giveUpAt = performance.now() + this.#lockWaitMs;
    while (performance.now() < giveUpAt) {
      await new Promise((resolve) => setTimeout(resolve, this.#lockPollMs));
      if (!this.#storeAvailable()) break;
      let raw: string | null;
      try {
        raw = await withTimeout(this.store.get(key), this.#timeoutMs, 'cache read');
      } catch {
        this.#storeFailed(policy.scope);
        break;
      }
      const entry = this.#decode(policy.scope, key, raw, parse);
      if (entry && this.#now() - entry.storedAt <= policy.ttlSeconds * 1000) {
        await this.#writeL1(policy, key, entry);
        return { entry };
      }
      const lock = await this.#lock(policy, key);
      if (lock.kind !== 'busy') return { lock };
    }
    return { lock: { kind: 'none' } };
  }

  #refreshInBackground<T>(
    policy: CachePolicy,
    key: string,
    load: () => Promise<T>,
    parse?: (raw: unknown) => T,
  ): void {
    if (this.#loads.has(key)) return;
    this.#track(policy, this.#loadOnce(policy, key, load, parse));
  }

  /** A load nobody waits for any more: `idle()` waits for it, and its failure is counted, not thrown. */
  #track(policy: CachePolicy, loading: Promise<unknown>): void {
    const refresh = loading.then(
      () => undefined,
      () => this.#metrics.cacheEvent(policy.scope, 'refresh-failed'),
    );
    this.#refreshes.add(refresh);
    void refresh.finally(() => this.#refreshes.delete(refresh));
  }

  /** Stores the entry in L1 and the store; true when the store has it. */
  async #write<T>(policy: CachePolicy, key: string, value: T, storedAt: number): Promise<boolean> {
    let raw: string;
    try {
      raw = JSON.stringify({ v: value, t: storedAt });
    } catch {
      this.#metrics.cacheEvent(policy.scope, 'error');
      return false;
    }
    if (raw.length > this.#maxEntryChars) return false;
    const entry = { value, storedAt, raw };
    this.#remember(key, entry);
    await this.#writeL1(policy, key, entry);
    if (!this.#storeAvailable()) return false;
    try {
      await withTimeout(
        this.store.set(key, raw, this.#retentionSeconds(policy)),
        this.#timeoutMs,
        'cache write',
      );
      return true;
    } catch {
      this.#storeFailed(policy.scope);
      return false;
    }
  }
}
