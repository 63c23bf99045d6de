import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The API Gateway HTTP API (payload 2.0) event, with the JWT authorizer's context when present. */
export type GatewayEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Record<string, unknown>; scopes?: string[] | null } };
  };
};

export type GatewayResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

export function header(event: GatewayEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  return headers[name] ?? headers[name.toLowerCase()];
}

/** The query as API Gateway gives it (repeated keys joined by commas), rebuilt from the raw string if missing. */
export function queryOf(event: GatewayEvent): Record<string, string> {
  if (event.queryStringParameters) return { ...event.queryStringParameters } as Record<string, string>;
  const query: Record<string, string> = {};
  if (!event.rawQueryString) return query;
  for (const [k, v] of new URLSearchParams(event.rawQueryString)) {
    query[k] = k in query ? `${query[k]},${v}` : v;
  }
  return query;
}

export function instanceOf(event: GatewayEvent): string {
  const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
  return event.rawQueryString ? `${path}?${event.rawQueryString}` : path;
}
