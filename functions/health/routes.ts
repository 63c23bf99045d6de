import * as z from 'zod';
import { defineRoute } from '#lib/http/route';

const Liveness = z.object({ status: z.literal('ok') });
const Alive = z.object({ status: z.literal('alive') });

export const CheckAnswer = z.object({
  status: z.enum(['ok', 'failed', 'disabled']),
  latency_ms: z.number().int(),
  detail: z.string().optional(),
});
const Readiness = z.object({ status: z.literal('ready'), checks: z.record(z.string(), CheckAnswer) });

const live = (id: string, path: string) =>
  defineRoute({
    id,
    method: 'GET',
    path,
    domain: 'health',
    version: 'unversioned',
    summary: 'Liveness: the function answers; no dependency is checked',
    auth: 'public',
    response: { kind: 'document', schema: Liveness },
  });

const alive = (id: string, path: string) =>
  defineRoute({
    id,
    method: 'GET',
    path,
    domain: 'health',
    version: 'unversioned',
    summary: 'Liveness probe for orchestrators',
    auth: 'public',
    response: { kind: 'document', schema: Alive },
  });

const ready = (id: string, path: string) =>
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

export const healthRoutes = [
  live('health', '/health'),
  live('healthz', '/healthz'),
  live('healthLive', '/health/live'),
  alive('live', '/live'),
  alive('livez', '/livez'),
  ready('ready', '/ready'),
  ready('readyz', '/readyz'),
];
