/**
 * `npm start`: sample data if missing, then every registry route on one local port through the same
 * Lambda handlers that deploy, with DuckDB, the memory cache, flags from the local file and a
 * development principal. Setting AURUM_TRINO_URL, UPSTASH_REDIS_REST_URL/TOKEN or AURUM_AUTH_MODE=jwt
 * switches each part to the real thing (jwt mode trusts the `npm run token` key unless AURUM_JWKS_FILE or
 * AURUM_JWKS_URL names an issuer's keys).
 */
export {};

const authModeDefaulted = process.env.AURUM_AUTH_MODE === undefined;
process.env.AURUM_AUTH_MODE ??= 'dev';
process.env.AURUM_API_ADMIN_GROUP ??= 'aurum-admins';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

// jwt mode checks real tokens; with no issuer configured it trusts the key `npm run token` signs with.
let trustsDevKey = false;
if (process.env.AURUM_AUTH_MODE === 'jwt') {
  const { trustDevKeys } = await import('#infra/local/dev-tokens');
  trustsDevKey = await trustDevKeys(process.env);
}

const { duckDbPath } = await import('#lib/data/create-engine');
const { ensureSampleData } = await import('#infra/local/sample-data');
const { registry } = await import('#functions/registry');
const { createLocalGateway, listen, loadHandlers } = await import('#infra/local/gateway');

if (!process.env.AURUM_TRINO_URL) {
  const path = duckDbPath();
  const started = Date.now();
  const ensured = await ensureSampleData(path);
  if (ensured.created)
    console.log(`made sample data: ${ensured.rows} rows in ${Date.now() - started} ms → ${path}`);
}

// A PostgreSQL named by AURUM_STORE_URL is migrated here, as the deploy's trigger does in AWS; the embedded
// PGlite store (the default, files under .data/appstore) migrates itself when first opened.
if (/^postgres(?:ql)?:\/\//.test(process.env.AURUM_STORE_URL ?? '')) {
  const { sharedStore } = await import('#lib/store/create-store');
  const { migrate } = await import('#lib/store/migrate');
  const report = await migrate(await sharedStore());
  console.log(`app store: ${report.applied.length} migration(s) applied`);
}

// A few PPA contracts for the demo tenant, so the PPA examples of the README have something to value.
{
  const { appStore } = await import('#lib/store/create-store');
  const { seedDemoContracts } = await import('#infra/local/ppa-demo');
  const written = await seedDemoContracts(await appStore());
  if (written > 0) console.log(`app store: ${written} demo PPA contract(s) for tenant demo`);
}

const handlers = await loadHandlers(registry);
const server = createLocalGateway({ registry, handlers, fallbackDomain: 'health' });
const port = Number(process.env.PORT ?? 3000);
const url = await listen(server, port, process.env.HOST ?? '127.0.0.1');
// The cache warm-up replays representative requests through this API.
process.env.AURUM_API_BASE_URL ??= url;

console.log(
  `Aurum API listening on ${url}  (${registry.routes.length} routes, auth mode ${process.env.AURUM_AUTH_MODE})`,
);
console.log(`  docs: ${url}/docs   spec: ${url}/openapi.json`);
if (process.env.AURUM_AUTH_MODE === 'dev') {
  console.log(
    `  auth: dev${authModeDefaulted ? ' (the default)' : ''}: no tokens; X-Aurum-Tenant / X-Aurum-Groups pick the caller. AURUM_AUTH_MODE=jwt checks real tokens.`,
  );
  console.log(`  try: curl -i '${url}/v1/curves?iso=PJM&limit=5'`);
  console.log(`       curl -i -H 'X-Aurum-Tenant: acme' '${url}/v2/curves?limit=3'`);
} else {
  const source = process.env.AURUM_JWKS_URL ?? process.env.AURUM_JWKS_FILE;
  console.log(
    `  auth: jwt: bearer tokens checked against ${source} (issuer ${process.env.AURUM_JWT_ISSUER}, audience ${process.env.AURUM_JWT_AUDIENCE})`,
  );
  if (trustsDevKey) {
    console.log(
      `  try: curl -i -H "Authorization: Bearer $(npm run -s token -- --tenant acme --scope curves:read)" '${url}/v2/curves?limit=3'`,
    );
  }
}

const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
