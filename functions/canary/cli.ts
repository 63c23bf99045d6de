/**
 * `npm run canary -- --url http://127.0.0.1:3000 [--token T] [--timeout 5000] [--no-checks]`: the canary
 * from a terminal. Deep checks run against this machine's configuration (DuckDB, memory cache, flags
 * file unless the environment says otherwise); exit 0 when every probe passes, 1 when one fails.
 */
import { parseArgs } from 'node:util';

process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

const USAGE =
  'usage: npm run canary -- --url <base URL> [--token <bearer token>] [--timeout <ms>] [--no-checks]';

let values: { url?: string; token?: string; timeout?: string; 'no-checks'?: boolean; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      timeout: { type: 'string' },
      'no-checks': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const baseUrl = values.url ?? process.env.AURUM_CANARY_BASE_URL;
if (!baseUrl || !/^https?:\/\//.test(baseUrl)) {
  console.error(`an http(s) --url is required\n${USAGE}`);
  process.exit(2);
}
const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) {
  console.error(`--timeout must be a positive number of milliseconds\n${USAGE}`);
  process.exit(2);
}

const { readinessProvidersFromEnv } = await import('#lib/health/providers-from-env');
const { formatReport, runCanary } = await import('./run-canary.ts');

const { parseClientCredentials } = await import('./token-grant.ts');
// AURUM_CANARY_TOKEN_URL / _CLIENT_ID / _CLIENT_SECRET / _SCOPE: a fresh token by client-credentials grant.
const grant =
  values.token === undefined && process.env.AURUM_CANARY_TOKEN_URL
    ? parseClientCredentials(
        JSON.stringify({
          token_url: process.env.AURUM_CANARY_TOKEN_URL,
          client_id: process.env.AURUM_CANARY_CLIENT_ID,
          client_secret: process.env.AURUM_CANARY_CLIENT_SECRET,
          scope: process.env.AURUM_CANARY_SCOPE,
        }),
      )
    : undefined;

const report = await runCanary({
  baseUrl,
  ...(grant ? { grant } : {}),
  token: values.token ?? process.env.AURUM_CANARY_TOKEN,
  providers: values['no-checks'] ? [] : readinessProvidersFromEnv(process.env),
  ...(timeout === undefined ? {} : { probeTimeoutMs: timeout }),
});
console.log(formatReport(report));
process.exit(report.ok ? 0 : 1);
