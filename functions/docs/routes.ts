import * as z from 'zod/mini';
import { defineDomain } from '#lib/http/registry';
import { defineRoute } from '#lib/http/route';
import { withMeta } from '#lib/schema';

/** Text answers name their media type with the JSON Schema keyword the OpenAPI builder reads. */
const text = (contentMediaType: string, description: string) =>
  withMeta(z.string(), { contentMediaType, description });

// Server cache off: these answers are built in memory. The scopes give them their max-age.
const NOSNIFF = { 'X-Content-Type-Options': 'nosniff' } as const;
const docsCache = { scope: 'docs', visibility: 'public', store: false } as const;
const assetsCache = { scope: 'docs-assets', visibility: 'public', store: false } as const;

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
    get schema() {
      return withMeta(z.record(z.string(), z.unknown()), { description: 'An OpenAPI 3.1 document' });
    },
    headers: NOSNIFF,
  },
  cache: docsCache,
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
  response: {
    kind: 'document',
    get schema() {
      return text('text/html', 'The Swagger UI page for /openapi.json');
    },
    contentType: 'text/html; charset=utf-8',
    headers: NOSNIFF,
  },
  cache: docsCache,
});

const asset = <const Id extends string>(id: Id, file: string, contentMediaType: string) =>
  defineRoute({
    id,
    method: 'GET',
    path: `/docs/${file}`,
    domain: 'docs',
    version: 'unversioned',
    summary: `Swagger UI asset ${file}`,
    auth: 'public',
    response: {
      kind: 'document',
      get schema() {
        return text(contentMediaType, `${file} of the docs page`);
      },
      contentType: `${contentMediaType}; charset=utf-8`,
      headers: NOSNIFF,
    },
    cache: assetsCache,
  });

export const docsStyles = asset('getDocsStyles', 'swagger-ui.css', 'text/css');
export const docsBundle = asset('getDocsBundle', 'swagger-ui-bundle.js', 'text/javascript');
export const docsInitializer = asset('getDocsInitializer', 'swagger-initializer.js', 'text/javascript');

export const docsDomain = defineDomain({
  name: 'docs',
  description: 'This document and its viewer',
  routes: [openApiDocument, docsPage, docsStyles, docsBundle, docsInitializer],
});
