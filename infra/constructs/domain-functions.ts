import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REPO_ROOT } from '#infra/layer/shared-module';
import type { RouteRegistry } from '#lib/http/registry';
import { AurumFunction, type AurumFunctionProps, type SharedCodeMode } from './aurum-function.ts';

const placed = (placement: DomainPlacement | undefined, environment: Record<string, string>) =>
  placement ? { network: placement.network, environment: { ...environment, ...placement.environment } } : {};

export interface DomainFunctionsProps {
  registry: RouteRegistry;
  sharedCode: SharedCodeMode;
  sharedLayer?: ILayerVersion;
  logRetention: RetentionDays;
  logLevel: string;
  /** Settings every function gets (Trino endpoint, admin group …). */
  environment: Record<string, string>;
  /** Each domain function's reserved concurrency. */
  reservedConcurrency?: (domain: string) => number;
  /** Where a domain's function runs in the VPC, with the settings that go with it; undefined: outside. */
  placement?: (domain: string) => DomainPlacement | undefined;
}

export interface DomainPlacement {
  network: NonNullable<AurumFunctionProps['network']>;
  environment: Record<string, string>;
}

const constructIdOf = (domain: string) =>
  `${domain.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase())}Function`;

/**
 * One Lambda per domain of the route registry: a domain added to the registry gets its function here with
 * no change to infra/. Its entry is `functions/<domain>/handler.ts`.
 */
export class DomainFunctions extends Construct {
  readonly byDomain: ReadonlyMap<string, AurumFunction>;

  constructor(scope: Construct, id: string, props: DomainFunctionsProps) {
    super(scope, id);
    const functions = new Map<string, AurumFunction>();
    for (const domain of props.registry.domains) {
      const entry = join(REPO_ROOT, 'functions', domain, 'handler.ts');
      if (!existsSync(entry))
        throw new Error(`domain ${domain} is in the route registry but ${entry} does not exist`);
      functions.set(
        domain,
        new AurumFunction(this, constructIdOf(domain), {
          domain,
          sharedCode: props.sharedCode,
          sharedLayer: props.sharedLayer,
          logRetention: props.logRetention,
          logLevel: props.logLevel,
          environment: props.environment,
          reservedConcurrency: props.reservedConcurrency?.(domain),
          ...placed(props.placement?.(domain), props.environment),
        }),
      );
    }
    this.byDomain = functions;
  }
}
