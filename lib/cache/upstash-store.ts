import { Redis } from '@upstash/redis';
import type { CacheStore } from './store.ts';

export interface UpstashConnection {
  url: string;
  token: string;
  /** Each HTTP request is aborted after this long, so a hung socket never outlives a request. */
  requestTimeoutMs?: number;
  /** Retries for idempotent reads (GET, PING). Writes are never retried: a retried INCR counts twice. */
  readRetries?: number;
}

/**
 * The two clients the cache needs. `@upstash/redis` retries every command 5 times with
 * exponential backoff by default (seconds in total), and deserialises any reply that looks
 * like JSON; both defaults are wrong for a cache that must fail fast and parse with zod.
 * Each client keeps its own read-your-writes token, so nothing here reads through `reader`
 * what it just wrote through `writer`: invalidation takes the new version from INCR's reply.
 */
export function createUpstashClients(connection: UpstashConnection): { reader: Redis; writer: Redis } {
  const requestTimeoutMs = connection.requestTimeoutMs ?? 1_000;
  const common = {
    url: connection.url,
    token: connection.token,
    automaticDeserialization: false,
    enableTelemetry: false,
    // A function signal makes an abort throw; a plain AbortSignal makes the client return the string "Aborted" as a result.
    signal: () => AbortSignal.timeout(requestTimeoutMs),
  } as const;
  const readRetries = connection.readRetries ?? 1;
  return {
    reader: new Redis({
      ...common,
      retry: { retries: readRetries, backoff: (attempt) => 10 * 2 ** attempt },
    }),
    writer: new Redis({ ...common, retry: { retries: 0 } }),
  };
}

/** Deletes KEYS[1] only while it holds ARGV[1], atomically (a lock is released only by its holder). */
const DELETE_IF_EQUALS =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/** The production adapter: Upstash Redis over its REST API. Opens no connection until first used. */
export class UpstashStore implements CacheStore {
  readonly name = 'upstash' as const;
  readonly reader: Redis;
  readonly writer: Redis;

  constructor(clients: { reader: Redis; writer: Redis }) {
    this.reader = clients.reader;
    this.writer = clients.writer;
  }

  static connect(connection: UpstashConnection): UpstashStore {
    return new UpstashStore(createUpstashClients(connection));
  }

  async get(key: string): Promise<string | null> {
    const value: unknown = await this.reader.get(key);
    if (value === null || typeof value === 'string') return value;
    throw new TypeError(`Upstash GET returned ${typeof value}, expected a string`);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.writer.set(key, value, { ex: Math.max(1, Math.ceil(ttlSeconds)) });
  }

  async incr(key: string): Promise<number> {
    const value: unknown = await this.writer.incr(key);
    const count = typeof value === 'string' ? Number(value) : value;
    if (typeof count !== 'number' || !Number.isSafeInteger(count)) {
      throw new TypeError('Upstash INCR returned a non-integer');
    }
    return count;
  }

  async setIfAbsent(key: string, value: string, leaseMs: number): Promise<boolean> {
    const reply: unknown = await this.writer.set(key, value, {
      nx: true,
      px: Math.max(1, Math.ceil(leaseMs)),
    });
    return reply === 'OK';
  }

  async deleteIfEquals(key: string, value: string): Promise<void> {
    await this.writer.eval(DELETE_IF_EQUALS, [key], [value]);
  }

  async ping(): Promise<void> {
    const reply: unknown = await this.reader.ping();
    if (reply !== 'PONG') throw new Error('Upstash PING did not answer PONG');
  }
}
