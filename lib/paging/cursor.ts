import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import '#lib/schema';
import { canonicalJson } from '#lib/canonical-json';
import { InvalidInputError } from '#lib/errors';
import { once } from '#lib/lazy';

export type CursorDirection = 'next' | 'prev';

export type CursorBoundaryValue = string | number | boolean | null;
/** A row's position in a keyset order: its sort-key values, as a cursor stores them. */
export type Boundary = readonly CursorBoundaryValue[];

export interface DecodedCursor {
  /** The sort-key values of the row the page continues from (after it for next, before it for prev). */
  boundary: readonly CursorBoundaryValue[];
  direction: CursorDirection;
}

/**
 * The signing keys during a rotation. Cursors are verified with `current` or `previous`; they are signed
 * with `current` once `activateAt` has passed and with `previous` before it, so while containers still
 * hold the old key (they re-read the secret every few minutes) no container issues a cursor another cannot
 * verify. A plain secret is a ring of one key.
 */
export interface CursorKeyRing {
  current: string;
  previous?: string;
  /** Epoch milliseconds from which `current` signs; absent: it signs now. */
  activateAt?: number;
}

export interface CursorCodecOptions {
  /** HMAC key. Unset or empty: a random per-process key, announced through `onEphemeralKey`. */
  secret?: string;
  /** The rotation's keys, read on every use (a rotated secret reaches a warm container); wins over `secret`. */
  keys?: () => CursorKeyRing | undefined;
  /** Lifetime of an issued cursor; default 3600 s. */
  ttlSeconds?: number;
  /** Clock in epoch milliseconds; injectable for expiry tests. */
  now?: () => number;
  /** Called when this codec falls back to the per-process key; default: one process warning per process. */
  onEphemeralKey?: () => void;
}

/** Cursors travel in query strings and meta; the API promises at most this many characters. */
export const MAX_CURSOR_LENGTH = 1000;
export const DEFAULT_CURSOR_TTL_SECONDS = 3600;

const CURSOR_VERSION = 1;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Built with the first cursor a request brings (a first page needs none). */
const cursorPayloadSchema = once(() =>
  z.strictObject({
    v: z.literal(CURSOR_VERSION),
    k: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])),
    d: z.enum(['n', 'p']),
    f: z.string(),
    e: z.number().check(z.int(), z.nonnegative()),
  }),
);

type CursorPayload = z.infer<ReturnType<typeof cursorPayloadSchema>>;

export const EPHEMERAL_KEY_WARNING =
  'AURUM_CURSOR_SECRET is not set: pagination cursors are signed with a random per-process key, ' +
  'so they will not survive a restart and are not shared between containers.';

// Lazily created so importing this module has no side effects; shared so every codec in a process agrees.
let processKey: Buffer | undefined;
let processWarningEmitted = false;

function ephemeralProcessKey(): Buffer {
  processKey ??= randomBytes(32);
  return processKey;
}

function warnOncePerProcess(): void {
  if (processWarningEmitted) return;
  processWarningEmitted = true;
  process.emitWarning(EPHEMERAL_KEY_WARNING, { code: 'AURUM_CURSOR_EPHEMERAL_KEY' });
}

/**
 * A short, order-independent fingerprint of a list's filters, stored in its cursors so that a cursor
 * is only accepted with the query it was issued for. Absent, null and empty-string filters are equal.
 */
export function hashFilters(filters: Record<string, unknown>): string {
  const present: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined || value === null || value === '') continue;
    present[name] = value;
  }
  return createHash('sha256').update(canonicalJson(present)).digest('hex').slice(0, 16);
}

interface ResolvedKeys {
  ring: CursorKeyRing | undefined;
  current: Buffer;
  previous: Buffer | undefined;
}

/** The rotation's variables: AURUM_CURSOR_SECRET, AURUM_CURSOR_PREVIOUS_SECRET, AURUM_CURSOR_ACTIVATE_AT. */
export function cursorKeysFromEnv(env: NodeJS.ProcessEnv): CursorKeyRing | undefined {
  const current = env.AURUM_CURSOR_SECRET;
  if (!current) return undefined;
  const activateAt = Number(env.AURUM_CURSOR_ACTIVATE_AT);
  return {
    current,
    previous: env.AURUM_CURSOR_PREVIOUS_SECRET || undefined,
    activateAt: env.AURUM_CURSOR_ACTIVATE_AT && Number.isFinite(activateAt) ? activateAt : undefined,
  };
}

/** Signed, expiring keyset cursors: base64url(JSON payload) + '.' + base64url(HMAC-SHA256). */
export class CursorCodec {
  private readonly ttlSeconds: number;
  private readonly now: () => number;
  private readonly readKeys: () => CursorKeyRing | undefined;
  private readonly onEphemeralKey: () => void;
  private resolved: ResolvedKeys | undefined;
  /**
   * The last token minted for a boundary value: a cached page hands the same boundary to every answer, and
   * within one second (the expiry's resolution) the token is the same bytes, so it is signed once.
   */
  private readonly minted = new WeakMap<
    object,
    { direction: CursorDirection; filterHash: string; expires: number; token: string; key: Buffer }
  >();

  constructor(options: CursorCodecOptions = {}) {
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_CURSOR_TTL_SECONDS;
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
      throw new RangeError(`Cursor TTL must be a positive whole number of seconds, got ${ttlSeconds}`);
    }
    this.ttlSeconds = ttlSeconds;
    this.now = options.now ?? Date.now;
    const fixed = options.secret ? { current: options.secret } : undefined;
    this.readKeys = options.keys ?? (() => fixed);
    this.onEphemeralKey = options.onEphemeralKey ?? warnOncePerProcess;
    this.keyRing();
  }

  /** The keys now in force; re-derived only when the ring's values change. */
  private keyRing(): ResolvedKeys {
    const ring = this.readKeys();
    const last = this.resolved;
    if (
      last &&
      last.ring?.current === ring?.current &&
      last.ring?.previous === ring?.previous &&
      last.ring?.activateAt === ring?.activateAt
    ) {
      return last;
    }
    if (!ring) {
      this.onEphemeralKey();
      this.resolved = { ring, current: ephemeralProcessKey(), previous: undefined };
    } else {
      this.resolved = {
        ring: { ...ring },
        current: Buffer.from(ring.current, 'utf8'),
        previous: ring.previous ? Buffer.from(ring.previous, 'utf8') : undefined,
      };
    }
    return this.resolved;
  }

  /** Reads AURUM_CURSOR_SECRET and AURUM_CURSOR_TTL_SECONDS; `overrides` inject a clock or warning sink. */
  static fromEnv(
    env: NodeJS.ProcessEnv = process.env,
    overrides: Pick<CursorCodecOptions, 'now' | 'onEphemeralKey'> = {},
  ): CursorCodec {
    const rawTtl = env.AURUM_CURSOR_TTL_SECONDS?.trim();
    let ttlSeconds: number | undefined;
    if (rawTtl) {
      ttlSeconds = Number(rawTtl);
      if (!/^\d+$/.test(rawTtl) || ttlSeconds <= 0) {
        throw new RangeError(`AURUM_CURSOR_TTL_SECONDS must be a positive integer, got "${rawTtl}"`);
      }
    }
    return new CursorCodec({ ...overrides, keys: () => cursorKeysFromEnv(env), ttlSeconds });
  }

  encode(boundary: DecodedCursor['boundary'], direction: CursorDirection, filterHash: string): string {
    const expires = Math.floor(this.now() / 1000) + this.ttlSeconds;
    const keys = this.keyRing();
    const activateAt = keys.ring?.activateAt;
    const signing =
      keys.previous && activateAt !== undefined && this.now() < activateAt ? keys.previous : keys.current;
    const known = this.minted.get(boundary);
    if (
      known &&
      known.expires === expires &&
      known.direction === direction &&
      known.filterHash === filterHash &&
      known.key === signing
    )
      return known.token;
    for (const value of boundary) {
      // JSON would turn these into null and the cursor would silently point elsewhere.
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new TypeError('Cursor boundary values must be finite numbers');
      }
    }
    const payload: CursorPayload = {
      v: CURSOR_VERSION,
      k: [...boundary],
      d: direction === 'prev' ? 'p' : 'n',
      f: filterHash,
      e: expires,
    };
    const payloadPart = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    const token = `${payloadPart}.${this.sign(payloadPart, signing)}`;
    if (token.length > MAX_CURSOR_LENGTH) {
      throw new RangeError(`Cursor would be ${token.length} characters, over the ${MAX_CURSOR_LENGTH} limit`);
    }
    this.minted.set(boundary, { direction, filterHash, expires, token, key: signing });
    return token;
  }

  /** Verifies and opens a cursor; every failure is an InvalidInputError naming `field`. */
  decode(token: string, filterHash: string, field = 'cursor'): DecodedCursor {
    const reject = (code: string, detail: string) =>
      new InvalidInputError(detail, [{ field, message: detail, code }]);

    if (typeof token !== 'string' || token.length === 0) {
      throw reject('cursor_malformed', 'Cursor is malformed');
    }
    if (token.length > MAX_CURSOR_LENGTH) {
      throw reject('cursor_too_long', `Cursor is longer than ${MAX_CURSOR_LENGTH} characters`);
    }
    const parts = token.split('.');
    const [payloadPart, signaturePart] = parts;
    if (
      parts.length !== 2 ||
      payloadPart === undefined ||
      signaturePart === undefined ||
      !BASE64URL.test(payloadPart) ||
      !BASE64URL.test(signaturePart)
    ) {
      throw reject('cursor_malformed', 'Cursor is malformed');
    }

    // Compare the canonical signature text, so no alternative spelling of the same bytes is accepted.
    const given = Buffer.from(signaturePart, 'ascii');
    const keys = this.keyRing();
    const signedBy = (key: Buffer) => {
      const expected = Buffer.from(this.sign(payloadPart, key), 'ascii');
      return expected.length === given.length && timingSafeEqual(expected, given);
    };
    if (!signedBy(keys.current) && !(keys.previous && signedBy(keys.previous))) {
      throw reject('cursor_signature', 'Cursor signature is invalid');
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
    } catch {
      throw reject('cursor_malformed', 'Cursor is malformed');
    }
    const result = cursorPayloadSchema().safeParse(parsed);
    if (!result.success) throw reject('cursor_malformed', 'Cursor is malformed');
    const payload = result.data;

    if (this.now() >= payload.e * 1000) {
      throw reject('cursor_expired', 'Cursor has expired');
    }
    if (payload.f !== filterHash) {
      throw reject('cursor_filter_mismatch', 'Cursor filters do not match current query parameters');
    }
    return { boundary: payload.k, direction: payload.d === 'p' ? 'prev' : 'next' };
  }

  private sign(payloadPart: string, key: Buffer): string {
    return createHmac('sha256', key).update(payloadPart).digest('base64url');
  }
}
