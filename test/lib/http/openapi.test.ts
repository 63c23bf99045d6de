import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { registry } from '#functions/registry';
import { ProblemSchema, responseBodySchema } from '#lib/http/envelope-schemas';
import { buildOpenApiDocument, type OpenApiOperation, openApiPath } from '#lib/http/openapi';
import { enumParam, intParam } from '#lib/http/params';
import { problemStatuses } from '#lib/http/problem-responses';
import { RouteRegistry } from '#lib/http/registry';
import { defineRoute } from '#lib/http/route';
import { withMeta } from '#lib/schema';

const Widget = z.object({ id: z.string(), weight: z.nullable(z.number()) });
const Gadget = withMeta(z.object({ name: z.string() }), { id: 'Gadget' });

const listWidgetsV1 = defineRoute({
  id: 'listWidgetsV1',
  method: 'GET',
  path: '/v1/widgets',
  domain: 'widgets',
  version: 'v1',
  summary: 'Widgets',
  auth: 'tenant',
  request: {
    query: z.object({
      kind: enumParam(['ROUND', 'SQUARE']),
      limit: intParam({ min: 1, max: 100, default: 10 }),
      legacy: withMeta(z.optional(z.string()), { deprecated: true, description: 'Old knob' }),
    }),
  },
  response: { kind: 'list', schema: Widget },
  csv: { filename: 'widgets.csv' },
  cache: { scope: 'curves-v2', visibility: 'public' },
});

const listWidgetsV2 = defineRoute({
  id: 'listWidgetsV2',
  method: 'GET',
  path: '/v2/widgets',
  domain: 'widgets',
  version: 'v2',
  summary: 'Widgets, v2',
  auth: 'tenant',
  response: { kind: 'list', schema: Widget, meta: z.object({ total: z.number().check(z.int()) }) },
});

const getGadget = defineRoute({
  id: 'getGadget',
  method: 'GET',
  path: '/v2/gadgets/{gadget_id}',
  domain: 'gadgets',
  version: 'v2',
  summary: 'One gadget',
  auth: 'tenant',
  request: { path: z.object({ gadget_id: z.string().check(z.uuid()) }) },
  response: { kind: 'object', schema: Gadget },
  flag: { key: 'scenario-outputs', whenOff: 'unavailable' },
});

const createGadget = defineRoute({
  id: 'createGadget',
  method: 'POST',
  path: '/v2/gadgets',
  domain: 'gadgets',
  version: 'v2',
  summary: 'Create a gadget',
  auth: 'admin',
  request: {
    body: z.object({ name: z.string().check(z.minLength(1)), tags: z.optional(z.array(z.string())) }),
  },
  response: { kind: 'object', status: 201, schema: Gadget },
});

const deleteGadget = defineRoute({
  id: 'deleteGadget',
  method: 'DELETE',
  path: '/v2/gadgets/{gadget_id}',
  domain: 'gadgets',
  version: 'v2',
  summary: 'Delete a gadget',
  auth: 'admin',
  request: { path: z.object({ gadget_id: z.string() }) },
  response: { kind: 'empty' },
  flag: { key: 'bulk-scenario-runs', whenOff: 'not-found' },
});

const ping = defineRoute({
  id: 'ping',
  method: 'GET',
  path: '/ping',
  domain: 'health',
  version: 'unversioned',
  summary: 'Ping',
  auth: 'public',
  response: { kind: 'document', schema: z.object({ status: z.literal('ok') }) },
});

const page = defineRoute({
  id: 'page',
  method: 'GET',
  path: '/page',
  domain: 'docs',
  version: 'unversioned',
  summary: 'A page',
  auth: 'public',
  response: { kind: 'document', schema: withMeta(z.string(), { contentMediaType: 'text/html' }) },
});

const sample = new RouteRegistry().register(
  listWidgetsV1,
  listWidgetsV2,
  getGadget,
  createGadget,
  deleteGadget,
  ping,
  page,
);
const doc = buildOpenApiDocument(sample, { serverUrl: 'https://api.example.test' });
const op = (path: string, method: string) => doc.paths[path]![method] as OpenApiOperation;
type Json = Record<string, unknown>;
const paramOf = (o: OpenApiOperation, name: string) => o.parameters!.find((p) => p.name === name)!;
const responseOf = (o: OpenApiOperation, status: number) => o.responses[String(status)] as Json;

describe('buildOpenApiDocument', () => {
  it('produces a document the OpenAPI 3.1 schema validator accepts, for the sample and for the real registry', async () => {
    for (const document of [doc, buildOpenApiDocument(registry)]) {
      const result = await new Validator().validate(structuredClone(document) as Json);
      expect(result.errors).toBeUndefined();
      expect(result.valid).toBe(true);
      expect(document.openapi).toBe('3.1.0');
    }
    // The validator is not a rubber stamp.
    const broken = structuredClone(doc) as Json;
    delete broken.info;
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('gives operationIds and tags that read well as identifiers in generated code', () => {
    const real = buildOpenApiDocument(registry);
    const ids = Object.values(real.paths).flatMap((item) =>
      Object.entries(item)
        .filter(([k]) => k !== 'servers')
        .map(([, o]) => (o as OpenApiOperation).operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/);
    for (const tag of real.tags as { name: string; description?: string }[]) {
      expect(tag.name).toMatch(/^[a-z][a-z0-9-]*$/);
      // A sentence a reader can use, not a placeholder.
      expect(tag.description, tag.name).toMatch(/^[A-Z].{15,}/);
    }
  });

  it('writes a greedy route parameter as a plain path template that names its declared parameter', () => {
    const real = buildOpenApiDocument(registry);
    // OpenAPI has no {name+}: every path key is {name} only, and names a path parameter of its operation.
    for (const path of Object.keys(real.paths)) expect(path).not.toMatch(/\+\}/);
    const detail = real.paths['/v1/metadata/eia/datasets/{dataset_path}']?.get as OpenApiOperation;
    expect(detail.operationId).toBe('getEiaDatasetV1');
    expect(paramOf(detail, 'dataset_path')).toMatchObject({ in: 'path', required: true });
    expect(real.paths['/v1/metadata/eia/datasets/{dataset_path+}']).toBeUndefined();
  });

  it('documents every default a route applies to an absent parameter, and its bounds in the description', () => {
    const real = buildOpenApiDocument(registry);
    let defaults = 0;
    for (const route of registry.routes) {
      const shape = (route.request?.query?.shape ?? {}) as Record<string, z.ZodMiniType>;
      const o = real.paths[openApiPath(route.path)]![route.method.toLowerCase()] as OpenApiOperation;
      for (const [name, member] of Object.entries(shape)) {
        const applied = member.safeParse(undefined);
        if (!applied.success || applied.data === undefined) continue;
        const param = paramOf(o, name);
        expect(param.schema?.default, `${route.id} ${name}`).toEqual(applied.data);
        expect(param.description, `${route.id} ${name}`).toContain(
          `Default: ${JSON.stringify(applied.data)}.`,
        );
        defaults++;
      }
    }
    expect(defaults).toBeGreaterThan(10);
  });

  it('documents the write problems a route declares, and only the shared responses some route uses', () => {
    const renameGadget = defineRoute({
      ...createGadget,
      id: 'renameGadget',
      method: 'PUT',
      path: '/v2/gadgets/{gadget_id}',
      request: { path: z.object({ gadget_id: z.string() }), body: z.object({ name: z.string() }) },
      problems: [409, 412, 413],
    });
    const writes = buildOpenApiDocument(new RouteRegistry().register(createGadget, renameGadget));
    const put = writes.paths['/v2/gadgets/{gadget_id}']!.put as OpenApiOperation;
    expect(put.responses['409']).toEqual({ $ref: '#/components/responses/Conflict' });
    expect(put.responses['412']).toEqual({ $ref: '#/components/responses/PreconditionFailed' });
    expect(put.responses['413']).toEqual({ $ref: '#/components/responses/ContentTooLarge' });
    const shared = Object.keys(writes.components.responses as Json);
    expect(shared).toEqual(expect.arrayContaining(['Conflict', 'PreconditionFailed', 'ContentTooLarge']));
    // The sample declares no write problem, so its document carries no such component.
    expect(Object.keys(doc.components.responses as Json)).not.toContain('Conflict');
    expect(() =>
      buildOpenApiDocument(new RouteRegistry().register({ ...ping, problems: [418] } as typeof ping)),
    ).toThrow(/418/);
  });

  it('names a license and a contact, and describes only the domains the registry serves', () => {
    const info = doc.info as { license?: Json; contact?: Json; description: string };
    expect(info.license).toMatchObject({ name: expect.any(String) });
    expect(info.contact).toMatchObject({ url: expect.stringMatching(/^https:/) });
    const described = [...info.description.matchAll(/\*\*([a-z-]+)\*\*/g)].map((m) => m[1]);
    expect(described).toEqual([...sample.domains].sort());
    const real = buildOpenApiDocument(registry).info as { description: string };
    expect([...real.description.matchAll(/\*\*([a-z-]+)\*\*/g)].map((m) => m[1])).toEqual(
      [...registry.domains].sort(),
    );
  });

  it('has one operation per registry route, tagged by domain, with its operationId', () => {
    for (const document of [doc, buildOpenApiDocument(registry)]) {
      const source = document === doc ? sample : registry;
      const operations = Object.values(document.paths).flatMap((item) =>
        Object.entries(item)
          .filter(([k]) => k !== 'servers')
          .map(([, o]) => o as OpenApiOperation),
      );
      expect(operations.map((o) => o.operationId).sort()).toEqual(source.routes.map((r) => r.id).sort());
      for (const route of source.routes) {
        const o = document.paths[openApiPath(route.path)]![route.method.toLowerCase()] as OpenApiOperation;
        expect(o.tags).toEqual([route.domain]);
      }
      expect((document.tags as { name: string }[]).map((t) => t.name)).toEqual(source.domains);
    }
  });

  it('marks v1 operations deprecated and gives v1 and v2 paths their own described server', () => {
    expect(op('/v1/widgets', 'get').deprecated).toBe(true);
    expect(op('/v2/widgets', 'get').deprecated).toBeUndefined();
    const serverOf = (path: string) =>
      (doc.paths[path] as unknown as { servers?: { url: string; description: string }[] }).servers;
    expect(serverOf('/v1/widgets')).toEqual([
      { url: 'https://api.example.test', description: expect.stringMatching(/^v1 \(deprecated/) },
    ]);
    expect(serverOf('/v2/widgets')![0]!.description).toMatch(/^v2 \(current\)/);
    expect(serverOf('/ping')).toBeUndefined();
    expect((doc.servers as { url: string }[]).map((s) => s.url)).toEqual([
      'https://api.example.test',
      'https://api.example.test',
    ]);
    expect(Object.keys(responseOf(op('/v1/widgets', 'get'), 200).headers as Json)).toEqual(
      expect.arrayContaining(['Deprecation', 'Sunset', 'Link']),
    );
    expect(Object.keys(responseOf(op('/v2/widgets', 'get'), 200).headers as Json)).not.toContain(
      'Deprecation',
    );
  });

  it('asks for a JWT bearer token except on public routes', () => {
    expect((doc.components.securitySchemes as Json).bearerAuth).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
    );
    expect(op('/v1/widgets', 'get').security).toEqual([{ bearerAuth: [] }]);
    expect(op('/v2/gadgets', 'post').security).toEqual([{ bearerAuth: [] }]);
    expect(op('/v2/gadgets', 'post').description).toContain('admin group');
    expect(op('/ping', 'get').security).toEqual([]);
  });

  it('lists the problem answers each route can give, all as problem+json with the shared Problem schema', () => {
    expect(problemStatuses(listWidgetsV1)).toEqual([400, 401, 403, 404, 405, 429, 500, 503, 504]);
    expect(problemStatuses(getGadget)).toEqual([400, 401, 403, 404, 405, 429, 500, 503, 504]);
    expect(problemStatuses(createGadget)).toEqual([
      400, 401, 403, 404, 405, 413, 415, 422, 429, 500, 503, 504,
    ]);
    expect(problemStatuses(deleteGadget)).toEqual([400, 401, 403, 404, 405, 429, 500, 503, 504]);
    // A public route is not rate-limited, but a path one segment off or another method is a problem too.
    expect(problemStatuses(ping)).toEqual([404, 405, 500]);
    expect(op('/ping', 'get').responses['405']).toEqual({ $ref: '#/components/responses/MethodNotAllowed' });
    expect(
      Object.keys((doc.components.responses as Record<string, Json>).MethodNotAllowed!.headers as Json),
    ).toContain('Allow');

    const widgets = op('/v1/widgets', 'get');
    expect(widgets.responses['429']).toEqual({ $ref: '#/components/responses/TooManyRequests' });
    const tooMany = (doc.components.responses as Record<string, Json>).TooManyRequests!;
    expect(tooMany.content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
    expect(Object.keys(tooMany.headers as Json)).toEqual(
      expect.arrayContaining(['Retry-After', 'X-RateLimit-Remaining']),
    );
    expect(
      Object.keys((doc.components.responses as Record<string, Json>).Unauthorized!.headers as Json),
    ).toContain('WWW-Authenticate');
    expect(doc.components.schemas.Problem!.required).toEqual([
      'type',
      'title',
      'status',
      'detail',
      'instance',
      'request_id',
      'timestamp',
    ]);
  });

  it('documents 304 on GETs with the validators, and no body or 304 on an empty answer', () => {
    const notModified = responseOf(op('/v1/widgets', 'get'), 304);
    expect(notModified.content).toBeUndefined();
    expect(Object.keys(notModified.headers as Json)).toEqual(
      expect.arrayContaining(['ETag', 'Cache-Control', 'X-Cache']),
    );
    expect(op('/v1/widgets', 'get').parameters).toContainEqual({
      $ref: '#/components/parameters/IfNoneMatch',
    });

    const deleted = op('/v2/gadgets/{gadget_id}', 'delete');
    expect(Object.keys(deleted.responses)).not.toContain('304');
    expect(responseOf(deleted, 204).content).toBeUndefined();
    expect(responseOf(op('/v2/gadgets', 'post'), 201)).toBeDefined();
  });

  it('documents the caching, paging and rate-limit headers where they apply', () => {
    const list = Object.keys(responseOf(op('/v1/widgets', 'get'), 200).headers as Json);
    expect(list).toEqual(
      expect.arrayContaining([
        'ETag',
        'Cache-Control',
        'X-Cache',
        'X-Next-Cursor',
        'X-Prev-Cursor',
        'X-Request-Id',
        'X-RateLimit-Limit',
      ]),
    );
    const uncached = Object.keys(responseOf(op('/v2/widgets', 'get'), 200).headers as Json);
    expect(uncached).not.toContain('X-Cache');
    const publicDoc = Object.keys(responseOf(op('/ping', 'get'), 200).headers as Json);
    expect(publicDoc).not.toContain('X-RateLimit-Limit');
    expect(publicDoc).not.toContain('X-Next-Cursor');
  });

  it('turns query and path schemas into parameters, with required, deprecated and enum kept', () => {
    const widgets = op('/v1/widgets', 'get');
    expect(paramOf(widgets, 'kind')).toEqual({
      name: 'kind',
      in: 'query',
      required: true,
      schema: { type: 'string', enum: ['ROUND', 'SQUARE'] },
    });
    expect(paramOf(widgets, 'limit')).toMatchObject({
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
      // Generated clients copy a parameter's description into their comments, not its schema's keywords.
      description: 'Default: 10. Minimum: 1. Maximum: 100.',
    });
    expect(paramOf(widgets, 'legacy')).toMatchObject({
      deprecated: true,
      description: 'Old knob',
      required: false,
    });
    expect(paramOf(op('/v2/gadgets/{gadget_id}', 'get'), 'gadget_id')).toMatchObject({
      in: 'path',
      required: true,
      schema: { type: 'string', format: 'uuid' },
    });
  });

  it('wraps list and object data in the v1 and v2 envelopes, with item schemas as shared components', () => {
    const v1 = (responseOf(op('/v1/widgets', 'get'), 200).content as Record<string, { schema: Json }>)[
      'application/json'
    ]!.schema;
    expect(v1).toEqual({
      type: 'object',
      properties: {
        meta: { $ref: '#/components/schemas/V1ListMeta' },
        data: { type: 'array', items: { $ref: '#/components/schemas/ListWidgetsV1Item' } },
      },
      required: ['meta', 'data'],
      additionalProperties: false,
    });
    const v2 = (responseOf(op('/v2/widgets', 'get'), 200).content as Record<string, { schema: Json }>)[
      'application/json'
    ]!.schema;
    expect(v2.required).toEqual(['data', 'meta', 'links']);
    // The same zod item schema is one component, referred to by both versions.
    expect((v2.properties as Record<string, Json>).data).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/ListWidgetsV1Item' },
    });
    // The route's own meta members join the envelope's.
    expect(JSON.stringify((v2.properties as Json).meta)).toContain('"total"');
    expect(doc.components.schemas.ListWidgetsV1Item).toMatchObject({
      required: ['id', 'weight'],
      additionalProperties: false,
    });
    // A schema with a global id is its own component under that name.
    const gadget = (
      responseOf(op('/v2/gadgets/{gadget_id}', 'get'), 200).content as Record<string, { schema: Json }>
    )['application/json']!.schema;
    expect((gadget.properties as Json).data).toEqual({ $ref: '#/components/schemas/Gadget' });
    expect(doc.components.schemas.Gadget).toMatchObject({ type: 'object', required: ['name'] });
  });

  it('offers text/csv beside JSON on CSV routes, and text documents under their media type', () => {
    const content = responseOf(op('/v1/widgets', 'get'), 200).content as Json;
    expect(Object.keys(content)).toEqual(['application/json', 'text/csv']);
    expect(Object.keys(responseOf(op('/v1/widgets', 'get'), 200).headers as Json)).toContain(
      'Content-Disposition',
    );
    expect(Object.keys(responseOf(op('/v2/widgets', 'get'), 200).headers as Json)).not.toContain(
      'Content-Disposition',
    );
    expect(JSON.stringify(content['text/csv'])).toContain('id, weight');
    expect(Object.keys(responseOf(op('/page', 'get'), 200).content as Json)).toEqual(['text/html']);
    expect(op('/v1/widgets', 'get').description).toContain('format=csv');
  });

  it('documents request bodies as JSON, required when the schema refuses nothing', () => {
    expect(op('/v2/gadgets', 'post').requestBody).toEqual({
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              name: { type: 'string', minLength: 1 },
              tags: { type: 'array', items: { type: 'string' } },
            },
            required: ['name'],
          },
        },
      },
    });
  });

  it('is a pure function of the registry: the same input gives the same document', () => {
    expect(JSON.stringify(buildOpenApiDocument(registry))).toBe(
      JSON.stringify(buildOpenApiDocument(registry)),
    );
  });
});

describe('responseBodySchema', () => {
  const body = (data: unknown, meta: Json = {}) => ({
    meta: {
      request_id: 'r1',
      query_time_ms: 3,
      count: 1,
      has_more: false,
      next_cursor: null,
      prev_cursor: null,
      ...meta,
    },
    data,
  });

  it('accepts the v1 list envelope the renderer writes, and refuses a wrong item or an extra top-level member', () => {
    const schema = responseBodySchema(listWidgetsV1)!;
    expect(schema.safeParse(body([{ id: 'w', weight: null }], { limit: 10 })).success).toBe(true);
    expect(schema.safeParse(body([{ id: 'w', weight: 'heavy' }])).success).toBe(false);
    expect(schema.safeParse({ ...body([]), links: {} }).success).toBe(false);
  });

  it('is undefined for empty answers and text documents, and the document schema for JSON documents', () => {
    expect(responseBodySchema(deleteGadget)).toBeUndefined();
    expect(responseBodySchema(page)).toBeUndefined();
    expect(responseBodySchema(ping)!.safeParse({ status: 'ok' }).success).toBe(true);
  });

  it('matches problem bodies as problem-response.ts writes them', () => {
    const problem = {
      type: 'https://api.aurum.dev/problems/validation-error',
      title: 'Validation Error',
      status: 400,
      detail: 'Invalid query.limit',
      instance: '/v1/curves?limit=x',
      request_id: 'r1',
      timestamp: new Date().toISOString(),
      errors: [{ field: 'query.limit', message: 'must be a whole number', code: 'invalid_format' }],
    };
    expect(ProblemSchema.safeParse(problem).success).toBe(true);
    expect(ProblemSchema.safeParse({ ...problem, status: 200 }).success).toBe(false);
    const { request_id: _omitted, ...withoutRequestId } = problem;
    expect(ProblemSchema.safeParse(withoutRequestId).success).toBe(false);
  });
});

describe('the committed document', () => {
  it('is the one the registry builds today (run npm run openapi after changing a route)', async () => {
    const { readFile } = await import('node:fs/promises');
    const committed = JSON.parse(
      await readFile(new URL('../../../infra/openapi/openapi.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(registry))));
  });
});
