/**
 * `npm run openapi`: writes the OpenAPI 3.1 document of the route registry to infra/openapi/openapi.json
 * (committed, so API changes show in review). `-- --check` exits 1 when the file is out of date, for CI;
 * `-- --out <file>` writes elsewhere; `-- --server <url>` sets the servers' base URL (default relative).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { registry } from '#functions/registry';
import { buildOpenApiDocument } from '#lib/http/openapi';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OPENAPI_PATH = resolve(repoRoot, 'infra/openapi/openapi.json');

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: DEFAULT_OPENAPI_PATH },
    server: { type: 'string' },
    check: { type: 'boolean', default: false },
  },
});

const out = resolve(values.out);
const document = buildOpenApiDocument(registry, values.server ? { serverUrl: values.server } : {});
const shown = relative(process.cwd(), out) || out;
const text = formatted(`${JSON.stringify(document, null, 2)}\n`, out);

/** The repository's formatter's layout, so `npm run lint` accepts the committed file as written. */
function formatted(json: string, path: string): string {
  const biome = resolve(repoRoot, 'node_modules/.bin/biome');
  const result = spawnSync(biome, ['format', `--stdin-file-path=${path}`], {
    input: json,
    encoding: 'utf8',
    cwd: repoRoot,
  });
  return result.status === 0 && result.stdout.trim().startsWith('{') ? result.stdout : json;
}

if (values.check) {
  const current = await readFile(out, 'utf8').catch(() => '');
  if (current !== text) {
    console.error(`${shown} is out of date with the route registry: run npm run openapi`);
    process.exit(1);
  }
  console.log(`${shown} is up to date`);
} else {
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, text);
  const operations = Object.values(document.paths).reduce(
    (n, item) => n + Object.keys(item).filter((k) => k !== 'servers').length,
    0,
  );
  console.log(
    `wrote ${shown}: ${operations} operations, ${Object.keys(document.components.schemas).length} schemas`,
  );
}
