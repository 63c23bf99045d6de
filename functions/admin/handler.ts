import { registry } from '#functions/registry';
import { runtimeFromEnv } from '#lib/http/runtime';
import { createDomainHandler } from '#lib/http/stack';
import { implementAdmin } from './implementation.ts';

export const handler = createDomainHandler({
  domain: 'admin',
  registry,
  runtime: () => runtimeFromEnv(),
  implementations: (runtime) => implementAdmin(runtime),
});
