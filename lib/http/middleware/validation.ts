import type * as z from 'zod/mini';
import '#lib/schema';
import { assertSameTenant } from '#lib/auth/principal';
import type { GatewayEvent } from '../event.ts';
import { header, queryOf } from '../event.ts';
import { badRequest, type FieldError, HttpProblem, unprocessable } from '../problem.ts';
import { type StackMiddleware, type StackRequest, stateOf } from '../request-state.ts';

/** A rule's own sentence for the problem's detail, where it gave one (e.g. the original's date-range text). */
const DETAIL = Symbol('detail');
type RuleError = FieldError & { [DETAIL]?: string };

function fieldErrors(where: 'query' | 'path' | 'body', error: z.core.$ZodError): RuleError[] {
  return error.issues.flatMap((issue): RuleError[] => {
    // A strict schema's unknown members: each named where it was sent, so the caller sees which to drop.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: [where, ...issue.path.map(String), key].join('.'),
        message: 'is not a member of this resource',
        code: 'unknown_member',
      }));
    }
    const params = issue.code === 'custom' ? issue.params : undefined;
    const fieldError: RuleError = {
      field: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
      code: typeof params?.code === 'string' ? params.code : issue.code,
    };
    if (typeof params?.detail === 'string') fieldError[DETAIL] = params.detail;
    return [fieldError];
  });
}

/** The largest request body a write takes (architecture §13); API Gateway's own limit is 10 MB. */
export const MAX_BODY_BYTES = 256 * 1024;

function parseBody(event: GatewayEvent, mergePatch: boolean): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new HttpProblem(413, 'payload-too-large', 'Payload Too Large', {
      detail: `Request bodies are limited to ${MAX_BODY_BYTES} bytes; this one has ${bytes.length}`,
    });
  }
  const text = bytes.toString('utf8');
  const type = header(event, 'content-type') ?? 'application/json';
  if (!/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported Media Type', {
      detail: `Request bodies must be application/json${mergePatch ? ' or application/merge-patch+json' : ''}`,
    });
  }
  if (mergePatch === false && /merge-patch/i.test(type)) {
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported Media Type', {
      detail: 'application/merge-patch+json is for PATCH; send application/json',
    });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON', [
      { field: 'body', message: 'invalid JSON', code: 'invalid_json' },
    ]);
  }
}

/**
 * Parameters the route declares that arrive more than once (`iso=PJM&iso=ERCOT`). API Gateway joins them
 * with commas, which would silently turn two values into a third; every declared parameter is a scalar.
 */
function repeatedParameters(event: GatewayEvent, declared: Readonly<Record<string, unknown>>): RuleError[] {
  if (!event.rawQueryString) return [];
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const [name] of new URLSearchParams(event.rawQueryString)) {
    if (seen.has(name) && Object.hasOwn(declared, name)) repeated.add(name);
    seen.add(name);
  }
  return [...repeated].map((name) => ({
    field: `query.${name}`,
    message: 'must be given at most once',
    code: 'repeated_parameter',
  }));
}

const plain = (errors: readonly RuleError[]): FieldError[] => errors.map(({ [DETAIL]: _, ...e }) => e);

const describe = (errors: readonly RuleError[]) =>
  errors.length === 1 && errors[0]![DETAIL]
    ? errors[0]![DETAIL]
    : `Invalid ${errors.map((e) => e.field).join(', ')}`;

/**
 * Step 5: path, query and body through the route's schemas and rules; every bad field is named at once
 * (400 for parameters, 422 for bodies), and a `tenant_id` other than the caller's is a 403.
 */
export function validation(): StackMiddleware {
  const validationBefore = (request: StackRequest) => {
    const s = stateOf(request);
    const route = s.route!;
    const event = request.event;
    const errors: RuleError[] = [];
    const parse = (where: 'query' | 'path', schema: z.ZodMiniType | undefined, raw: unknown) => {
      if (!schema) return {};
      const result = schema.safeParse(raw);
      if (result.success) return result.data;
      errors.push(...fieldErrors(where, result.error));
      return undefined;
    };
    // Another tenant's id is refused before anything else is said about the request.
    if (route.request?.query?.shape.tenant_id)
      assertSameTenant(s.principal, queryOf(event).tenant_id, 'query.tenant_id');
    const path = parse('path', route.request?.path, event.pathParameters ?? {});
    const repeated = route.request?.query ? repeatedParameters(event, route.request.query.shape) : [];
    errors.push(...repeated);
    const query = repeated.length > 0 ? undefined : parse('query', route.request?.query, queryOf(event));
    if (errors.length === 0 && route.request?.rules) errors.push(...route.request.rules({ path, query }));
    if (errors.length > 0) throw badRequest(describe(errors), plain(errors));
    let body: unknown;
    if (route.request?.body) {
      const result = route.request.body.safeParse(parseBody(event, route.method === 'PATCH'));
      if (!result.success) {
        const bodyErrors = fieldErrors('body', result.error);
        throw unprocessable(describe(bodyErrors), plain(bodyErrors));
      }
      body = result.data;
    } else if (route.method !== 'GET') {
      // A route that reads no body still refuses one it could not read: nothing is silently dropped.
      parseBody(event, false);
    }
    s.input = { query, path, body };
  };
  return { before: validationBefore };
}
