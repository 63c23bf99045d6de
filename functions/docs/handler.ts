import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDomainHandler } from '#lib/http/domain-handler';
import type { OpenApiDocument } from '#lib/http/openapi';
import { docsDomain } from './routes.ts';

/**
 * Where the swagger-ui-dist files are: next to this module when bundled for Lambda (the CDK bundling
 * copies them into `swagger-ui-dist/`), else the installed package.
 */
function assetDirectories(): string[] {
  const directories = [fileURLToPath(new URL('./swagger-ui-dist/', import.meta.url))];
  try {
    directories.push(dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json')));
  } catch {
    // Not installed beside a bundle: only the copied files can serve.
  }
  return directories;
}

const assets = new Map<string, Promise<string>>();

/** Reads a swagger-ui-dist file once per container; a failed read is retried on the next request. */
function swaggerAsset(file: string): Promise<string> {
  let pending = assets.get(file);
  if (!pending) {
    pending = (async () => {
      for (const directory of assetDirectories()) {
        try {
          return await readFile(join(directory, file), 'utf8');
        } catch {
          // Try the next place.
        }
      }
      throw new Error(`swagger-ui-dist/${file} is not part of this deployment`);
    })();
    pending.catch(() => assets.delete(file));
    assets.set(file, pending);
  }
  return pending;
}

let document: OpenApiDocument | undefined;

// Relative URLs: the page works wherever the API is mounted, and the document's server is relative too.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aurum API</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/swagger-initializer.js"></script>
</body>
</html>
`;

// validatorUrl null: the page would otherwise send the document to an external validator.
const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: 'openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

/** The docs function: the document, the page and the Swagger UI assets it loads. */
export const handler = createDomainHandler({
  domain: docsDomain,
  bind: () => ({
    // The whole API's routes and the OpenAPI builder load with the first request for the document only.
    getOpenApiDocument: async () => {
      if (!document) {
        const [{ registry }, { buildOpenApiDocument }] = await Promise.all([
          import('#functions/registry'),
          import('#lib/http/openapi'),
        ]);
        document = buildOpenApiDocument(registry);
      }
      return document;
    },
    getDocsPage: async () => PAGE,
    getDocsStyles: () => swaggerAsset('swagger-ui.css'),
    getDocsBundle: () => swaggerAsset('swagger-ui-bundle.js'),
    getDocsInitializer: async () => INITIALIZER,
  }),
});
