import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '#functions/registry';
import { buildOpenApiDocument } from '#lib/http/openapi';
import { type LocalApi, startLocalApi } from '#test/support/local-api';

const swaggerDist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

let api: LocalApi;

beforeAll(async () => {
  api = await startLocalApi({ POWERTOOLS_LOG_LEVEL: 'CRITICAL' });
});

afterAll(async () => {
  await api?.close();
});

describe('GET /openapi.json', () => {
  it('serves the valid OpenAPI 3.1 document of the registry, cacheable and revalidatable', async () => {
    const res = await fetch(`${api.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=300/);
    const served = (await res.json()) as Record<string, unknown>;
    expect(served).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(registry))));
    const result = await new Validator().validate(served);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);

    const again = await fetch(`${api.url}/openapi.json`, {
      headers: { 'If-None-Match': res.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });
});

describe('GET /docs', () => {
  it('is an HTML page whose scripts and styles all come from this API, not a CDN', async () => {
    const res = await fetch(`${api.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(references).toEqual([
      'docs/swagger-ui.css',
      'docs/swagger-ui-bundle.js',
      'docs/swagger-initializer.js',
    ]);

    const expectedType: Record<string, RegExp> = {
      'docs/swagger-ui.css': /^text\/css/,
      'docs/swagger-ui-bundle.js': /^text\/javascript/,
      'docs/swagger-initializer.js': /^text\/javascript/,
    };
    for (const reference of references) {
      // Resolved as the browser does, against the page's own URL.
      const asset = await fetch(new URL(reference, `${api.url}/docs`));
      expect(asset.status, reference).toBe(200);
      expect(asset.headers.get('content-type'), reference).toMatch(expectedType[reference]!);
      expect((await asset.text()).length, reference).toBeGreaterThan(100);
    }
  });

  it('serves the swagger-ui-dist files unchanged, and points the viewer at /openapi.json', async () => {
    for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
      const served = await (
        await fetch(`${api.url}/docs/${file}`, { headers: { 'Accept-Encoding': 'gzip' } })
      ).text();
      expect(served === (await readFile(join(swaggerDist, file), 'utf8')), file).toBe(true);
    }
    const initializer = await (await fetch(`${api.url}/docs/swagger-initializer.js`)).text();
    const url = /url: '([^']+)'/.exec(initializer)?.[1];
    expect(new URL(url!, `${api.url}/docs`).pathname).toBe('/openapi.json');
    expect(initializer).toContain('validatorUrl: null');
  });
});
