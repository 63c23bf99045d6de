import { Router } from '@aws-lambda-powertools/event-handler/http';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';

/**
 * The cold-start peer: the function a user would write without Aurum's kit, with the same libraries
 * (Powertools' HTTP router and logger, a zod/mini query schema), one route. Built and imported exactly as
 * the functions are (bench/cold-start.ts), so its import time is what our features cost on top.
 */
const logger = new Logger({ serviceName: 'peer' });
const Query = z.object({
  iso: z.optional(z.string().check(z.maxLength(16))),
  limit: z.optional(z.string().check(z.regex(/^\d{1,4}$/))),
});

const app = new Router({ logger });
app.get('/v1/curves', ({ event }) => {
  const query = Query.safeParse((event as APIGatewayProxyEventV2).queryStringParameters ?? {});
  if (!query.success) return new Response(JSON.stringify({ status: 400 }), { status: 400 });
  return { data: [], meta: { query: query.data } };
});

export const handler = (event: APIGatewayProxyEventV2, context: Context) => app.resolve(event, context);
