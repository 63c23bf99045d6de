import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { GatewayEvent } from '#lib/http/event';
import type { RouteRegistry } from '#lib/http/registry';

/**
 * The one source of API Gateway HTTP API (payload 2.0) events and Lambda contexts outside AWS: the local
 * gateway builds every request's event here, and the tests and the bench build theirs with it too, so
 * what they hand a handler has the shape the deployed function receives.
 */

export interface GatewayRequest {
  method: string;
  /** The path as requested, e.g. `/v1/curves/PJM_WEST`. */
  rawPath: string;
  /** `METHOD /route/{param}` of the matched route, or `$default`. */
  routeKey: string;
  /** Without the `?`; `queryStringParameters` is derived from it as API Gateway does. */
  rawQueryString?: string;
  /** Lower-case names, as API Gateway delivers them. */
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  /** JWT claims the authorizer would have verified. */
  claims?: Record<string, unknown>;
  requestId?: string;
  sourceIp?: string;
  protocol?: string;
  /** `apiId`, `accountId` and `domainPrefix`; default `local`. */
  apiId?: string;
}

/** API Gateway's parsing of a query string: repeated names are joined with commas; none gives undefined. */
export function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQueryString)) query[k] = k in query ? `${query[k]},${v}` : v;
  return Object.keys(query).length > 0 ? query : undefined;
}

export function gatewayEvent(request: GatewayRequest): GatewayEvent {
  const headers = request.headers ?? {};
  const rawQueryString = request.rawQueryString ?? '';
  const apiId = request.apiId ?? 'local';
  const now = new Date();
  return {
    version: '2.0',
    routeKey: request.routeKey,
    rawPath: request.rawPath,
    rawQueryString,
    headers,
    queryStringParameters: queryParameters(rawQueryString),
    pathParameters:
      request.pathParameters && Object.keys(request.pathParameters).length > 0
        ? request.pathParameters
        : undefined,
    body: request.body,
    isBase64Encoded: request.isBase64Encoded ?? false,
    requestContext: {
      accountId: apiId,
      apiId,
      domainName: headers.host ?? 'localhost',
      domainPrefix: apiId,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId ?? randomUUID(),
      routeKey: request.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(request.claims ? { authorizer: { jwt: { claims: request.claims, scopes: null } } } : {}),
    },
  };
}

/**
 * The event API Gateway sends for `method path?query`, routed as the deployed routes are: the matched
 * route's key and path parameters, or `$default`. `domain` names the function that answers, if any.
 */
export function routedGatewayEvent(
  registry: RouteRegistry,
  request: Omit<GatewayRequest, 'routeKey' | 'pathParameters'>,
): { event: GatewayEvent; domain?: string } {
  const method = request.method.toUpperCase();
  const match = registry.match(method, request.rawPath);
  const found = match.kind === 'found';
  const event = gatewayEvent({
    ...request,
    method,
    routeKey: found ? `${method} ${match.route.path}` : '$default',
    ...(found ? { pathParameters: match.pathParameters } : {}),
  });
  return { event, domain: found ? match.route.domain : undefined };
}

export interface LambdaContextOptions {
  /** Default `aurum-local`. */
  functionName?: string;
  /** The function timeout `getRemainingTimeInMillis` counts down from; default 10 s. */
  timeoutMs?: number;
  awsRequestId?: string;
}

/** A Lambda context whose remaining time counts down from `timeoutMs` from the moment it is made. */
export function lambdaContext(options: LambdaContextOptions = {}): Context {
  const functionName = options.functionName ?? 'aurum-local';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: options.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
