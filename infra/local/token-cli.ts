/**
 * `npm run token -- --tenant acme --groups analysts --scope "curves:read metadata:read"`: a development
 * token signed by the key pair under `.data/` (made on first use), which `npm start` in jwt mode trusts.
 */
import { parseArgs } from 'node:util';
import { mintDevToken } from './dev-tokens.ts';

const USAGE =
  'usage: npm run token -- [--tenant T] [--groups g1,g2] [--scope "curves:read …"] [--sub S] [--ttl seconds] [--aud A] [--iss I]';

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      groups: { type: 'string' },
      scope: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string' },
      aud: { type: 'string' },
      iss: { type: 'string' },
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
const ttl = values.ttl === undefined ? 3600 : Number(values.ttl);
if (!Number.isInteger(ttl) || ttl <= 0) {
  console.error(`--ttl must be a positive number of seconds\n${USAGE}`);
  process.exit(2);
}
const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
const token = await mintDevToken({
  tenant: text('tenant'),
  groups: text('groups')
    ?.split(',')
    .map((g) => g.trim())
    .filter(Boolean),
  scope: text('scope'),
  subject: text('sub'),
  ttlSeconds: ttl,
  audience: text('aud'),
  issuer: text('iss'),
  tenantClaim: process.env.AURUM_TENANT_CLAIM,
});
console.log(token);
