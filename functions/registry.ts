import { adminRoutes } from '#functions/admin/routes';
import { curvesRoutes } from '#functions/curves/routes';
import { docsRoutes } from '#functions/docs/routes';
import { healthRoutes } from '#functions/health/routes';
import { RouteRegistry } from '#lib/http/registry';

/**
 * Every route of the API, declared once. Domain handlers dispatch on it; the CDK app, the OpenAPI
 * document, the local gateway and the contract fuzzer read it. Importing it loads no runtime client.
 */
export const registry = new RouteRegistry().register(
  ...healthRoutes,
  ...curvesRoutes,
  ...adminRoutes,
  ...docsRoutes,
);
