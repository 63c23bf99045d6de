import { registry } from '#functions/registry';
import { createEngine } from '#lib/data/create-engine';
import { runtimeFromEnv } from '#lib/http/runtime';
import { createDomainHandler } from '#lib/http/stack';
import { implementCurves } from './implementation.ts';
import { createCurvesService } from './service.ts';

export const handler = createDomainHandler({
  domain: 'curves',
  registry,
  runtime: () => runtimeFromEnv(),
  implementations: async (runtime) =>
    implementCurves(createCurvesService({ engine: await createEngine(), cursors: runtime.cursors })),
});
