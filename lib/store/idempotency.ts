import { createHash } from 'node:crypto';
import { canonicalJson } from '#lib/canonical-json';
import { sql } from '#lib/data/sql';
import { StoreError } from './errors.ts';
import type { AppStore, StoreCallOptions, StoreTransaction } from './store.ts';

/**
 * Idempotency keys for creating writes (architecture §13), without HTTP: a route's key is claimed in a short
 * transaction of its own (the in-flight marker other requests see), and the answer is stored by
 * `completeIdempotency` inside the write's transaction, so the answer exists exactly when the write does.
 * Keys are per tenant and route and kept 24 hours.
 */
export interface IdempotencyRequest {
  /** The route's identity, e.g. `POST /v2/series-curve-mappings`. */
  route: string;
  /** The client's `Idempotency-Key` (1–255 characters). */
  key: string;
  /** `requestFingerprint(…)` of what the request asked for. */
  fingerprint: string;
}

/** The first answer, as it will be replayed. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyBegin =
  /** The key is this request's: do the write, and call completeIdempotency in its transaction. */
  | { outcome: 'claimed' }
  /** The same request was answered before: send this answer again (the kit adds `Idempotent-Replayed`). */
  | { outcome: 'replay'; answer: StoredAnswer }
  /** The same key is still being answered by another request (409). */
  | { outcome: 'in-flight' }
  /** The key was used with a different request (422). */
  | { outcome: 'mismatch' };

/** A claim not completed within this is a request that died (a Lambda's timeout is 15 s): it may be taken over. */
export const IN_FLIGHT_TAKEOVER_SECONDS = 60;
export const IDEMPOTENCY_TTL_HOURS = 24;
const TTL = `${IDEMPOTENCY_TTL_HOURS} hours`;
const TAKEOVER = `${IN_FLIGHT_TAKEOVER_SECONDS} seconds`;

/**
 * A stable digest of what a request asks for: the same method, route, path parameters and body (in any key
 * order) give the same fingerprint; anything else another.
 */
export function requestFingerprint(request: { method: string; path: string; body?: unknown }): string {
  return createHash('sha256')
    .update(
      canonicalJson({ method: request.method.toUpperCase(), path: request.path, body: request.body ?? null }),
    )
    .digest('base64url');
}

function assertRequest(request: IdempotencyRequest): void {
  if (request.key.length < 1 || request.key.length > 255)
    throw new StoreError('internal', 'an idempotency key must have 1 to 255 characters');
}

interface RecordRow {
  fingerprint: string;
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
  completed: boolean;
  stale: boolean;
  expired: boolean;
  [column: string]: unknown;
}

/** Claims `request.key` for `tenant`, or says why not. Runs in a transaction of its own. */
export async function beginIdempotency(
  store: AppStore,
  tenant: string,
  request: IdempotencyRequest,
  options: StoreCallOptions = {},
): Promise<IdempotencyBegin> {
  assertRequest(request);
  return store.transaction(
    tenant,
    async (tx) => {
      const claimed = await tx.query(sql`
        insert into idempotency_record (tenant_id, route, key, fingerprint, expires_at)
        values (${tx.tenant}, ${request.route}, ${request.key}, ${request.fingerprint},
                now() + ${TTL}::interval)
        on conflict (tenant_id, route, key) do nothing
        returning key`);
      if (claimed.length === 1) return { outcome: 'claimed' };

      const [row] = await tx.query<RecordRow>(sql`
        select fingerprint, status, headers, body, completed_at is not null as completed,
               created_at < now() - ${TAKEOVER}::interval as stale,
               expires_at <= now() as expired
        from idempotency_record
        where tenant_id = ${tx.tenant} and route = ${request.route} and key = ${request.key}
        for update`);
      if (!row) return { outcome: 'in-flight' }; // released between our insert and select: try again later
      if (row.expired || (!row.completed && row.stale && row.fingerprint === request.fingerprint)) {
        await tx.execute(sql`
          update idempotency_record
          set fingerprint = ${request.fingerprint}, status = null, headers = null, body = null,
              completed_at = null, created_at = now(),
              expires_at = now() + ${TTL}::interval
          where tenant_id = ${tx.tenant} and route = ${request.route} and key = ${request.key}`);
        return { outcome: 'claimed' };
      }
      if (row.fingerprint !== request.fingerprint) return { outcome: 'mismatch' };
      if (!row.completed) return { outcome: 'in-flight' };
      return {
        outcome: 'replay',
        answer: { status: Number(row.status), headers: row.headers ?? {}, body: row.body ?? '' },
      };
    },
    options,
  );
}

/**
 * Stores the answer for a claimed key, inside the write's own transaction: if the write rolls back, so does
 * the answer (and the claim stays in flight until released or taken over).
 */
export async function completeIdempotency(
  tx: StoreTransaction,
  request: IdempotencyRequest,
  answer: StoredAnswer,
): Promise<void> {
  assertRequest(request);
  const changed = await tx.execute(sql`
    update idempotency_record
    set status = ${answer.status}, headers = ${JSON.stringify(answer.headers)}::jsonb, body = ${answer.body},
        completed_at = now()
    where tenant_id = ${tx.tenant} and route = ${request.route} and key = ${request.key}
      and fingerprint = ${request.fingerprint} and completed_at is null`);
  if (changed !== 1) throw new StoreError('internal', 'the idempotency key is not claimed by this request');
}

/** Gives up a claim whose write failed, so that the client's retry can claim the key again. */
export async function releaseIdempotency(
  store: AppStore,
  tenant: string,
  request: IdempotencyRequest,
  options: StoreCallOptions = {},
): Promise<void> {
  await store.execute(
    tenant,
    sql`delete from idempotency_record
        where tenant_id = ${tenant} and route = ${request.route} and key = ${request.key}
          and fingerprint = ${request.fingerprint} and completed_at is null`,
    options,
  );
}

/** Deletes a tenant's records past their 24 hours; answers how many went. */
export function purgeExpiredIdempotency(store: AppStore, tenant: string, options: StoreCallOptions = {}) {
  return store.execute(
    tenant,
    sql`delete from idempotency_record where tenant_id = ${tenant} and expires_at <= now()`,
    options,
  );
}

export type IdempotentResult =
  /** This request did the write; `answer` is what it stored. */
  { outcome: 'answered'; answer: StoredAnswer } | Exclude<IdempotencyBegin, { outcome: 'claimed' }>;

/**
 * The whole dance for a creating write: claim the key, run `write` in a tenant transaction that also stores
 * its answer, and give the claim up if the write fails (the error is rethrown). `write` returns the answer
 * it wants kept (status, headers, body as sent).
 */
export async function runIdempotent(
  store: AppStore,
  tenant: string,
  request: IdempotencyRequest,
  write: (tx: StoreTransaction) => Promise<StoredAnswer>,
  options: StoreCallOptions = {},
): Promise<IdempotentResult> {
  const begun = await beginIdempotency(store, tenant, request, options);
  if (begun.outcome !== 'claimed') return begun;
  try {
    const answer = await store.transaction(
      tenant,
      async (tx) => {
        const stored = await write(tx);
        await completeIdempotency(tx, request, stored);
        return stored;
      },
      options,
    );
    return { outcome: 'answered', answer };
  } catch (error) {
    // Best effort: a claim left behind is taken over after IN_FLIGHT_TAKEOVER_SECONDS anyway.
    await releaseIdempotency(store, tenant, request).catch(() => {});
    throw error;
  }
}
