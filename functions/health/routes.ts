import { z } from 'zod';
import { defineRoute } from '#lib/http/route';

const Liveness = z.object({ status: z.literal('ok') });
const Alive = z.object({ status: z.literal('alive') });

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

export const healthRoutes = [
  live('health', '/health'),
  live('healthz', '/healthz'),
  live('healthLive', '/health/live'),
  alive('live', '/live'),
  alive('livez', '/livez'),
];
