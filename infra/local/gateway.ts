import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import type { GatewayEvent, GatewayResult } from '#lib/http/event';
import type { RouteRegistry } from '#lib/http/registry';
import { lambdaContext, routedGatewayEvent } from './gateway-event.ts';

export type LambdaHandler = (event: GatewayEvent, context: Context) => Promise<GatewayResult>;

export interface LocalGatewayOptions {
  registry: RouteRegistry;
  /** The Lambda handler of each domain; `fallbackDomain` answers unknown routes, as `$default` does in AWS. */
  handlers: Record<string, LambdaHandler>;
  fallbackDomain: string;
  port?: number;
  host?: string;
  /**
   * The Lambda timeout the fake context counts down from; default `AURUM_REQUEST_TIMEOUT_MS` when set (so a
   * request is cut off locally as the deployed function's timeout cuts it), else API Gateway's 29 s.
   */
  timeoutMs?: number;
  /** Largest request body accepted, as API Gateway's 10 MB payload limit. */
  maxBodyBytes?: number;
}

const TEXT_BODY = /^(application\/(.+\+)?json|text\/|application\/x-www-form-urlencoded)/i;

/**
 * The request body, or null past `limit`. An oversized body is still read to its end (and dropped), so the
 * answer goes out on a connection that is ready for the client's next request.
 */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit ? null : Buffer.concat(chunks);
}

/** `AURUM_REQUEST_TIMEOUT_MS` as a whole number of ms, or undefined when unset or not a positive integer. */
export function requestTimeoutFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const value = Number(env.AURUM_REQUEST_TIMEOUT_MS);
  return env.AURUM_REQUEST_TIMEOUT_MS && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Turns an HTTP request into the API Gateway HTTP API (payload 2.0) event the deployed functions receive. */
export function toGatewayEvent(
  req: IncomingMessage,
  body: Buffer,
  registry: RouteRegistry,
): { event: GatewayEvent; domain?: string } {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const isText = body.length === 0 || TEXT_BODY.test(headers['content-type'] ?? 'application/json');
  return routedGatewayEvent(registry, {
    method: req.method ?? 'GET',
    rawPath: url.pathname,
    rawQueryString: url.search.startsWith('?') ? url.search.slice(1) : '',
    headers,
    body: body.length === 0 ? undefined : isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !isText,
    protocol: `HTTP/${req.httpVersion}`,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
  });
}

function send(res: ServerResponse, result: GatewayResult): void {
  const body = result.isBase64Encoded
    ? Buffer.from(result.body, 'base64')
    : Buffer.from(result.body ?? '', 'utf8');
  const headers: Record<string, string | number> = { ...result.headers };
  if (result.statusCode !== 304 && result.statusCode !== 204) headers['Content-Length'] = body.length;
  res.writeHead(result.statusCode, headers);
  res.end(result.statusCode === 304 || result.statusCode === 204 ? undefined : body);
}

function sendGatewayError(res: ServerResponse, status: number, message: string): void {
  // The shape API Gateway itself uses when it, not a function, answers.
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** A body past the gateway's own limit: problem+json like every other answer of the API. */
function sendTooLarge(res: ServerResponse, req: IncomingMessage, limit: number): void {
  const body = JSON.stringify({
    type: 'https://api.aurum.dev/problems/payload-too-large',
    title: 'Payload Too Large',
    status: 413,
    detail: `Request bodies are limited to ${limit} bytes`,
    instance: req.url ?? '/',
  });
  res.writeHead(413, {
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/**
 * The local stand-in for API Gateway: every request becomes a payload 2.0 event for the same handler
 * that is deployed, so what works here works behind the real gateway.
 */
export function createLocalGateway(options: LocalGatewayOptions): Server {
  const timeoutMs = options.timeoutMs ?? requestTimeoutFromEnv(process.env) ?? 29_000;
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  return createServer(async (req, res) => {
    try {
      const body = await readBody(req, maxBody);
      if (body === null) return sendTooLarge(res, req, maxBody);
      const { event, domain } = toGatewayEvent(req, body, options.registry);
      const target = domain ?? options.fallbackDomain;
      const handler = options.handlers[target];
      if (!handler) return sendGatewayError(res, 404, 'Not Found');
      const result = await handler(event, lambdaContext({ functionName: `aurum-${target}`, timeoutMs }));
      send(res, result);
    } catch {
      // An exception escaping a handler is what API Gateway reports as a 500 with no detail.
      if (!res.headersSent) sendGatewayError(res, 500, 'Internal Server Error');
      else res.destroy();
    }
  });
}

export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return `http://${host}:${address.port}`;
}

/** Loads every domain's handler named by the registry (functions/<domain>/handler.ts). */
export async function loadHandlers(registry: RouteRegistry): Promise<Record<string, LambdaHandler>> {
  const handlers: Record<string, LambdaHandler> = {};
  for (const domain of registry.domains) {
    const module = (await import(`#functions/${domain}/handler`)) as { handler: LambdaHandler };
    handlers[domain] = module.handler;
  }
  return handlers;
}
