import * as z from 'zod';
import { defineRoute } from '#lib/http/route';

/** Text answers name their media type with the JSON Schema keyword the OpenAPI builder reads. */
const text = (contentMediaType: string, description: string) =>
  z.string().meta({ contentMediaType, description });

// Server cache off: these answers are built in memory, and no cache scope exists for them.
const longLived = { scope: 'docs', maxAgeSeconds: 3600, visibility: 'public', store: false } as const;

export const openApiDocument = defineRoute({
  id: 'getOpenApiDocument',
  method: 'GET',
  path: '/openapi.json',
  domain: 'docs',
  version: 'unversioned',
  summary: 'This API’s OpenAPI 3.1 document',
  description:
    'Generated from the route registry: the same declarations the functions validate and answer with.',
  auth: 'public',
  response: {
    kind: 'document',
    schema: z.record(z.string(), z.unknown()).meta({ description: 'An OpenAPI 3.1 document' }),
  },
  cache: { ...longLived, maxAgeSeconds: 300 },
});

export const docsPage = defineRoute({
  id: 'getDocsPage',
  method: 'GET',
  path: '/docs',
  domain: 'docs',
  version: 'unversioned',
  summary: 'Interactive API documentation (Swagger UI)',
  description: 'Every script and style sheet it loads comes from this API, under /docs/.',
  auth: 'public',
  response: { kind: 'document', schema: text('text/html', 'The Swagger UI page for /openapi.json') },
  cache: { ...longLived, maxAgeSeconds: 300 },
});

const asset = (id: string, file: string, contentMediaType: string) =>
  defineRoute({
    id,
    method: 'GET',
    path: `/docs/${file}`,
    domain: 'docs',
    version: 'unversioned',
    summary: `Swagger UI asset ${file}`,
    auth: 'public',
    response: { kind: 'document', schema: text(contentMediaType, `${file} of the docs page`) },
    cache: longLived,
  });

export const docsStyles = asset('getDocsStyles', 'swagger-ui.css', 'text/css');
export const docsBundle = asset('getDocsBundle', 'swagger-ui-bundle.js', 'text/javascript');
export const docsInitializer = asset('getDocsInitializer', 'swagger-initializer.js', 'text/javascript');

export const docsRoutes = [openApiDocument, docsPage, docsStyles, docsBundle, docsInitializer];
