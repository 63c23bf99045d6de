import { adminDomain } from '#functions/admin/routes';
import { curvesDomain } from '#functions/curves/routes';
import { docsDomain } from '#functions/docs/routes';
import { droughtDomain } from '#functions/drought/routes';
import { eiaDomain } from '#functions/eia/routes';
import { healthDomain } from '#functions/health/routes';
import { isoDomain } from '#functions/iso/routes';
import { mappingsDomain } from '#functions/mappings/routes';
import { metadataDomain } from '#functions/metadata/routes';
import { ppaDomain } from '#functions/ppa/routes';
import { scenariosDomain } from '#functions/scenarios/routes';
import { RouteRegistry } from '#lib/http/registry';

/**
 * Every route of the API, assembled from each domain's declarations. A domain's function loads only its
 * own; the CDK app, the OpenAPI document, the local gateway, the health fallback and the contract fuzzer
 * read this. Importing it loads no runtime client.
 */
export const registry = new RouteRegistry().add(
  healthDomain,
  curvesDomain,
  metadataDomain,
  mappingsDomain,
  adminDomain,
  docsDomain,
  droughtDomain,
  eiaDomain,
  isoDomain,
  ppaDomain,
  scenariosDomain,
);
