import * as z from 'zod/mini';
import '#lib/schema';
import { defineDomain } from '#lib/http/registry';
import { defineRoute } from '#lib/http/route';

export const CheckAnswer = z.object({
  status: z.enum(['ok', 'failed', 'disabled']),
  latency_ms: z.number().check(z.int()),
  detail: z.optional(z.string()),
});
const Readiness = z.object({ status: z.literal('ready'), checks: z.record(z.string(), CheckAnswer) });

/** Liveness: the function answers; no dependency is contacted. `/live*` say "alive", the others "ok". */
const liveness = <const Id extends string>(id: Id, path: string, status: 'ok' | 'alive') =>
  defineRoute({
    id,
    method: 'GET',
    path,
    domain: 'health',
    version: 'unversioned',
    summary:
      status === 'ok'
        ? 'Liveness: the function answers; no dependency is checked'
        : 'Liveness probe for orchestrators',
    auth: 'public',
    response: {
      kind: 'document',
      get schema() {
        return z.object({ status: z.literal(status) });
      },
    },
  });

const ready = <const Id extends string>(id: Id, path: string) =>
  defineRoute({
    id,
    method: 'GET',
    path,
    domain: 'health',
    version: 'unversioned',
    summary: 'Readiness: the data engine, the cache and the flag document answer',
    description:
      'Runs the checks concurrently, each with its own timeout, under one overall deadline. 200 when none failed; otherwise a 503 problem whose `checks` member names the failed dependency and why.',
    auth: 'public',
    response: { kind: 'document', schema: Readiness },
    problems: [503],
  });

export const healthDomain = defineDomain({
  name: 'health',
  description: 'Liveness and readiness',
  routes: [
    liveness('health', '/health', 'ok'),
    liveness('healthz', '/healthz', 'ok'),
    liveness('healthLive', '/health/live', 'ok'),
    liveness('live', '/live', 'alive'),
    liveness('livez', '/livez', 'alive'),
    ready('ready', '/ready'),
    ready('readyz', '/readyz'),
  ],
});
