import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidInputError } from '#lib/errors';
import type { HttpProblem } from '#lib/http/problem';
import { toProblem } from '#lib/http/problem-mapping';
import { CursorCodec, EPHEMERAL_KEY_WARNING, hashFilters, MAX_CURSOR_LENGTH } from '#lib/paging/cursor';

const SECRET = 'test-cursor-secret-0123456789abcdef';
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const filters = hashFilters({ iso: 'PJM', market: 'DA', asof: '2025-01-14' });
const boundary = ['PJM_WEST_DA', 'Jan-25', '2025-01-01', 42.5, true, null] as const;

function codecAt(clock: { now: number }, options: { secret?: string; ttlSeconds?: number } = {}) {
  return new CursorCodec({ secret: SECRET, ...options, now: () => clock.now });
}

/** Runs `fn`, asserting it throws an InvalidInputError, and returns the 400 problem the API answers for it. */
function problemFrom(fn: () => unknown): HttpProblem {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    const problem = toProblem(error);
    expect(problem.status).toBe(400);
    return problem;
  }
  throw new Error('expected the call to throw a 400 problem');
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signWith(secret: string, payloadPart: string): string {
  return `${payloadPart}.${createHmac('sha256', secret).update(payloadPart).digest('base64url')}`;
}

describe('hashFilters', () => {
  it('is 16 hex characters and ignores key order', () => {
    const a = hashFilters({ iso: 'PJM', market: 'DA', limit: 5 });
    const b = hashFilters({ limit: 5, market: 'DA', iso: 'PJM' });
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(a).toBe(b);
  });

  it('treats undefined, null and empty strings as absent', () => {
    expect(hashFilters({ iso: 'PJM', market: undefined, product: null, block: '' })).toBe(
      hashFilters({ iso: 'PJM' }),
    );
  });

  it('changes when any present value changes', () => {
    expect(hashFilters({ iso: 'PJM' })).not.toBe(hashFilters({ iso: 'ERCOT' }));
    expect(hashFilters({ iso: 'PJM' })).not.toBe(hashFilters({ location: 'PJM' }));
    expect(hashFilters({ limit: 5 })).not.toBe(hashFilters({ limit: '5' }));
  });
});

describe('CursorCodec round trip', () => {
  it('decodes what it encoded, for both directions', () => {
    const codec = codecAt({ now: T0 });
    const next = codec.encode(boundary, 'next', filters);
    const prev = codec.encode(boundary, 'prev', filters);
    expect(codec.decode(next, filters)).toEqual({ boundary: [...boundary], direction: 'next' });
    expect(codec.decode(prev, filters)).toEqual({ boundary: [...boundary], direction: 'prev' });
  });

  it('produces a URL-safe token of two base64url parts', () => {
    const token = codecAt({ now: T0 }).encode(boundary, 'next', filters);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it('carries the documented payload {v, k, d, f, e}', () => {
    const token = new CursorCodec({ secret: SECRET, ttlSeconds: 600, now: () => T0 }).encode(
      ['a', 1],
      'prev',
      filters,
    );
    const payload = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
    expect(payload).toEqual({ v: 1, k: ['a', 1], d: 'p', f: filters, e: T0 / 1000 + 600 });
  });

  it('is accepted by another codec that shares the secret (another container)', () => {
    const token = codecAt({ now: T0 }).encode(boundary, 'next', filters);
    expect(codecAt({ now: T0 + 1000 }).decode(token, filters).boundary).toEqual([...boundary]);
  });

  it('refuses to encode non-finite numbers, which JSON would turn into null', () => {
    const codec = codecAt({ now: T0 });
    expect(() => codec.encode([Number.NaN], 'next', filters)).toThrow(TypeError);
    expect(() => codec.encode([Number.POSITIVE_INFINITY], 'next', filters)).toThrow(TypeError);
  });

  it('refuses to encode a boundary whose token would exceed the length limit', () => {
    expect(() => codecAt({ now: T0 }).encode(['x'.repeat(800)], 'next', filters)).toThrow(RangeError);
  });
});

describe('CursorCodec rejections', () => {
  const clock = { now: T0 };
  const codec = codecAt(clock);
  const token = codec.encode(boundary, 'next', filters);
  const [payloadPart, signaturePart] = token.split('.') as [string, string];

  it('rejects a token whose payload has one character changed', () => {
    const flipped = payloadPart[5] === 'A' ? 'B' : 'A';
    const tampered = `${payloadPart.slice(0, 5)}${flipped}${payloadPart.slice(6)}.${signaturePart}`;
    const problem = problemFrom(() => codec.decode(tampered, filters));
    expect(problem.detail).toBe('Cursor signature is invalid');
    expect(problem.errors).toEqual([
      { field: 'cursor', message: 'Cursor signature is invalid', code: 'cursor_signature' },
    ]);
  });

  it('rejects a token whose signature has one character changed', () => {
    const flipped = signaturePart[0] === 'A' ? 'B' : 'A';
    const problem = problemFrom(() =>
      codec.decode(`${payloadPart}.${flipped}${signaturePart.slice(1)}`, filters),
    );
    expect(problem.errors?.[0]?.code).toBe('cursor_signature');
  });

  it('rejects a forged payload signed with another secret', () => {
    const forged = signWith('some-other-secret', payloadPart);
    const problem = problemFrom(() => codec.decode(forged, filters));
    expect(problem.errors?.[0]?.code).toBe('cursor_signature');
  });

  it('rejects a token issued by a codec with another secret', () => {
    const foreign = new CursorCodec({ secret: 'another-secret-entirely', now: () => T0 }).encode(
      boundary,
      'next',
      filters,
    );
    expect(problemFrom(() => codec.decode(foreign, filters)).errors?.[0]?.code).toBe('cursor_signature');
  });

  it('rejects an unsigned payload (the original keyless format)', () => {
    const unsigned = base64urlJson({ v: 1, k: ['x'], d: 'n', f: filters, e: T0 / 1000 + 60 });
    expect(problemFrom(() => codec.decode(unsigned, filters)).errors?.[0]?.code).toBe('cursor_malformed');
    expect(problemFrom(() => codec.decode(`${unsigned}.`, filters)).errors?.[0]?.code).toBe(
      'cursor_malformed',
    );
    expect(problemFrom(() => codec.decode(`${unsigned}.AAAA`, filters)).errors?.[0]?.code).toBe(
      'cursor_signature',
    );
  });

  it('rejects an expired cursor once its TTL has passed', () => {
    const shortLived = new CursorCodec({ secret: SECRET, ttlSeconds: 60, now: () => clock.now });
    const issued = shortLived.encode(boundary, 'next', filters);
    clock.now = T0 + 59_999;
    expect(shortLived.decode(issued, filters).direction).toBe('next');
    clock.now = T0 + 60_000;
    const problem = problemFrom(() => shortLived.decode(issued, filters));
    expect(problem.detail).toBe('Cursor has expired');
    expect(problem.errors?.[0]).toEqual({
      field: 'cursor',
      message: 'Cursor has expired',
      code: 'cursor_expired',
    });
    clock.now = T0;
  });

  it('defaults to a one hour lifetime', () => {
    const hourClock = { now: T0 };
    const hourly = codecAt(hourClock);
    const issued = hourly.encode(boundary, 'next', filters);
    hourClock.now = T0 + 3_599_000;
    expect(hourly.decode(issued, filters).boundary).toEqual([...boundary]);
    hourClock.now = T0 + 3_600_000;
    expect(problemFrom(() => hourly.decode(issued, filters)).detail).toBe('Cursor has expired');
  });

  it('rejects a cursor presented with different filters', () => {
    const problem = problemFrom(() => codec.decode(token, hashFilters({ iso: 'ERCOT' }), 'prev_cursor'));
    expect(problem.detail).toBe('Cursor filters do not match current query parameters');
    expect(problem.errors).toEqual([
      {
        field: 'prev_cursor',
        message: 'Cursor filters do not match current query parameters',
        code: 'cursor_filter_mismatch',
      },
    ]);
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not a cursor'],
    ['one part', payloadPart],
    ['three parts', `${token}.${signaturePart}`],
    ['padding characters', `${payloadPart}=.${signaturePart}`],
    ['standard base64 characters', `${payloadPart}+/.${signaturePart}`],
  ])('rejects a malformed token (%s)', (_name, bad) => {
    const problem = problemFrom(() => codec.decode(bad, filters));
    expect(problem.errors?.[0]?.code).toBe('cursor_malformed');
    expect(problem.detail).toBe('Cursor is malformed');
    expect(problem.errors?.[0]?.field).toBe('cursor');
  });

  it('rejects tokens over 1000 characters before doing any crypto', () => {
    const long = `${'A'.repeat(MAX_CURSOR_LENGTH)}.${signaturePart}`;
    const problem = problemFrom(() => codec.decode(long, filters));
    expect(problem.errors?.[0]?.code).toBe('cursor_too_long');
    expect(problem.detail).toBe('Cursor is longer than 1000 characters');
  });

  it.each([
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['wrong version', base64urlJson({ v: 2, k: ['x'], d: 'n', f: filters, e: T0 / 1000 + 60 })],
    ['wrong direction', base64urlJson({ v: 1, k: ['x'], d: 'x', f: filters, e: T0 / 1000 + 60 })],
    ['boundary not a list', base64urlJson({ v: 1, k: { a: 1 }, d: 'n', f: filters, e: T0 / 1000 + 60 })],
    ['nested boundary value', base64urlJson({ v: 1, k: [['x']], d: 'n', f: filters, e: T0 / 1000 + 60 })],
    ['missing expiry', base64urlJson({ v: 1, k: ['x'], d: 'n', f: filters })],
    ['extra member', base64urlJson({ v: 1, k: ['x'], d: 'n', f: filters, e: T0 / 1000 + 60, o: 5 })],
  ])('rejects a correctly signed payload of the wrong shape (%s)', (_name, part) => {
    const problem = problemFrom(() => codec.decode(signWith(SECRET, part), filters));
    expect(problem.detail).toBe('Cursor is malformed');
    expect(problem.errors?.[0]?.code).toBe('cursor_malformed');
  });

  it('never puts the token or the secret in the problem', () => {
    const problem = problemFrom(() => codec.decode(signWith('x', payloadPart), filters));
    const text = JSON.stringify({ detail: problem.detail, errors: problem.errors });
    expect(text).not.toContain(payloadPart);
    expect(text).not.toContain(SECRET);
  });

  it('accepts a mutation only when it decodes to the identical cursor (property)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %';
    const mutation = fc.record({
      position: fc.nat({ max: token.length - 1 }),
      replacement: fc.constantFrom(...alphabet.split('')),
      kind: fc.constantFrom('replace', 'insert', 'delete'),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        let mutated = token;
        for (const { position, replacement, kind } of mutations) {
          const at = Math.min(position, mutated.length);
          const skip = kind === 'insert' ? 0 : 1;
          const add = kind === 'delete' ? '' : replacement;
          mutated = mutated.slice(0, at) + add + mutated.slice(at + skip);
        }
        let decoded: unknown;
        try {
          decoded = codec.decode(mutated, filters);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidInputError);
          expect(toProblem(error).status).toBe(400);
          return;
        }
        expect(decoded).toEqual({ boundary: [...boundary], direction: 'next' });
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips arbitrary boundaries (property)', () => {
    const value = fc.oneof(
      fc.string(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 6 }), fc.constantFrom('next', 'prev'), (keys, direction) => {
        const issued = codec.encode(keys, direction as 'next' | 'prev', filters);
        const decoded = codec.decode(issued, filters);
        // JSON has no negative zero; the boundary compares equal in SQL either way.
        expect(decoded.boundary).toEqual(keys.map((key) => (Object.is(key, -0) ? 0 : key)));
        expect(decoded.direction).toBe(direction);
      }),
    );
  });
});

describe('CursorCodec.fromEnv', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('uses AURUM_CURSOR_SECRET, so tokens survive a new codec (a restart)', () => {
    const env = { AURUM_CURSOR_SECRET: SECRET };
    const onEphemeralKey = vi.fn();
    const token = CursorCodec.fromEnv(env, { onEphemeralKey }).encode(['a'], 'next', filters);
    expect(codecAt({ now: Date.now() }).decode(token, filters).boundary).toEqual(['a']);
    expect(onEphemeralKey).not.toHaveBeenCalled();
  });

  it('reads AURUM_CURSOR_TTL_SECONDS', () => {
    const clock = { now: T0 };
    const codec = CursorCodec.fromEnv(
      { AURUM_CURSOR_SECRET: SECRET, AURUM_CURSOR_TTL_SECONDS: '30' },
      { now: () => clock.now },
    );
    const token = codec.encode(['a'], 'next', filters);
    clock.now = T0 + 30_000;
    expect(problemFrom(() => codec.decode(token, filters)).detail).toBe('Cursor has expired');
  });

  it.each(['0', '-5', 'ten', '1.5'])('refuses AURUM_CURSOR_TTL_SECONDS=%s at start-up', (ttl) => {
    expect(() => CursorCodec.fromEnv({ AURUM_CURSOR_SECRET: SECRET, AURUM_CURSOR_TTL_SECONDS: ttl })).toThrow(
      /AURUM_CURSOR_TTL_SECONDS/,
    );
  });

  it('without a secret, warns once and still round-trips with a per-process key', () => {
    const onEphemeralKey = vi.fn();
    const codec = CursorCodec.fromEnv({}, { onEphemeralKey });
    expect(onEphemeralKey).toHaveBeenCalledTimes(1);
    const token = codec.encode(['PJM', 3], 'prev', filters);
    expect(codec.decode(token, filters)).toEqual({ boundary: ['PJM', 3], direction: 'prev' });
    codec.encode(['PJM', 4], 'next', filters);
    expect(onEphemeralKey).toHaveBeenCalledTimes(1);
    // Every codec in the process shares the key, so handlers built separately agree.
    const sibling = CursorCodec.fromEnv({ AURUM_CURSOR_SECRET: '' }, { onEphemeralKey: () => {} });
    expect(sibling.decode(token, filters).boundary).toEqual(['PJM', 3]);
    // A configured secret is a different key: the ephemeral token does not verify there.
    expect(problemFrom(() => codecAt({ now: Date.now() }).decode(token, filters)).errors?.[0]?.code).toBe(
      'cursor_signature',
    );
  });

  it('by default emits one process warning, however many codecs fall back', () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    CursorCodec.fromEnv({});
    CursorCodec.fromEnv({});
    new CursorCodec();
    expect(emitWarning).toHaveBeenCalledTimes(1);
    expect(emitWarning.mock.calls[0]?.[0]).toBe(EPHEMERAL_KEY_WARNING);
    expect(EPHEMERAL_KEY_WARNING).toMatch(/restart/);
    expect(EPHEMERAL_KEY_WARNING).toMatch(/containers/);
  });

  describe('a rotating key ring', () => {
    const OLD = 'o'.repeat(64);
    const NEW = 'n'.repeat(64);
    const clock = { now: T0 };
    const only = (secret: string) => new CursorCodec({ secret, now: () => clock.now });

    it('signs with the previous key until activation, then with the current, and verifies both', () => {
      const env: NodeJS.ProcessEnv = {
        AURUM_CURSOR_SECRET: NEW,
        AURUM_CURSOR_PREVIOUS_SECRET: OLD,
        AURUM_CURSOR_ACTIVATE_AT: String(T0 + 60_000),
      };
      const ring = CursorCodec.fromEnv(env, { now: () => clock.now });
      clock.now = T0;
      const early = ring.encode(['PJM', 1], 'next', filters);
      expect(only(OLD).decode(early, filters).boundary).toEqual(['PJM', 1]);
      expect(problemFrom(() => only(NEW).decode(early, filters)).errors?.[0]?.code).toBe('cursor_signature');
      clock.now = T0 + 60_000;
      const late = ring.encode(['PJM', 2], 'next', filters);
      expect(only(NEW).decode(late, filters).boundary).toEqual(['PJM', 2]);
      expect(ring.decode(early, filters).boundary).toEqual(['PJM', 1]);
      expect(ring.decode(only(OLD).encode(['PJM', 3], 'next', filters), filters).boundary).toEqual([
        'PJM',
        3,
      ]);
      expect(
        problemFrom(() => ring.decode(only('x'.repeat(64)).encode(['PJM'], 'next', filters), filters))
          .errors?.[0]?.code,
      ).toBe('cursor_signature');
    });

    it('follows the environment when a refreshed secret changes it, without a new codec', () => {
      const env: NodeJS.ProcessEnv = { AURUM_CURSOR_SECRET: OLD };
      const codec = CursorCodec.fromEnv(env, { now: () => clock.now });
      const before = codec.encode(['PJM', 1], 'next', filters);
      env.AURUM_CURSOR_SECRET = NEW;
      env.AURUM_CURSOR_PREVIOUS_SECRET = OLD;
      expect(codec.decode(before, filters).boundary).toEqual(['PJM', 1]);
      expect(only(NEW).decode(codec.encode(['PJM', 2], 'next', filters), filters).boundary).toEqual([
        'PJM',
        2,
      ]);
      delete env.AURUM_CURSOR_PREVIOUS_SECRET;
      expect(problemFrom(() => codec.decode(before, filters)).errors?.[0]?.code).toBe('cursor_signature');
    });
  });
});

describe('cursor tokens minted again for the same boundary', () => {
  it('are the very token a fresh codec mints, and follow the clock, the direction and the filters', () => {
    const clock = { now: T0 };
    const codec = codecAt(clock);
    const fresh = () => codecAt(clock);
    const page = [...boundary];

    const first = codec.encode(page, 'next', filters);
    expect(codec.encode(page, 'next', filters)).toBe(first);
    expect(first).toBe(fresh().encode([...boundary], 'next', filters));

    // A later second is a later expiry: a new token, which decodes to the new expiry.
    clock.now = T0 + 1_000;
    const later = codec.encode(page, 'next', filters);
    expect(later).not.toBe(first);
    expect(later).toBe(fresh().encode([...boundary], 'next', filters));
    const expiry = (token: string) =>
      (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { e: number }).e;
    expect(expiry(later)).toBe(expiry(first) + 1);

    const prev = codec.encode(page, 'prev', filters);
    expect(codec.decode(prev, filters).direction).toBe('prev');
    const other = hashFilters({ iso: 'ERCOT' });
    expect(() => codec.decode(codec.encode(page, 'next', other), filters)).toThrow(InvalidInputError);
    expect(codec.decode(codec.encode(page, 'next', other), other).boundary).toEqual([...boundary]);
  });
});
