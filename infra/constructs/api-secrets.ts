import { join } from 'node:path';
import { SecretValue } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { REPO_ROOT } from '#infra/layer/shared-module';
import type { RouteSpec } from '#lib/http/route';
import { runtimeModules } from './code-imports.ts';

/** What a function reads at run time, derived from its code and its routes, never listed by hand. */
export interface SecretNeeds {
  /** Keyset cursors: a route that takes a `cursor` (or `prev_cursor`) parameter signs and checks them. */
  cursor: boolean;
  /** The query engine: the function's code reaches the engine factory (lib/data/create-engine). */
  trino: boolean;
  /**
   * Upstash: the per-tenant rate limit (any route that needs a token), the server cache (a route whose
   * answers are stored), or code that checks the cache store itself (readiness, the canary).
   */
  upstash: boolean;
}

/** Modules whose presence in a function's code means it opens that dependency. */
const ENGINE_FACTORY = 'lib/data/create-engine.ts';
const STORE_FACTORY = 'lib/store/create-store.ts';

/**
 * The private data a function's code reaches (the query engine, the app store), from the modules it
 * loads: such a function runs in the VPC, and only a store user gets the store's address and secret.
 */
export function dataReach(name: string): { engine: boolean; store: boolean } {
  const modules = runtimeModules(join(REPO_ROOT, 'functions', name, 'handler.ts'));
  return { engine: modules.has(ENGINE_FACTORY), store: modules.has(STORE_FACTORY) };
}
const CACHE_CHECKS = 'lib/health/providers-from-env.ts';

const takesCursor = (route: RouteSpec) => {
  const shape = route.request?.query?.shape ?? {};
  return 'cursor' in shape || 'prev_cursor' in shape;
};

/**
 * The secrets `functions/<name>/handler.ts` needs: from the modules its code loads (see runtimeModules)
 * and the routes it serves (none for the canary).
 */
export function secretNeeds(name: string, routes: readonly RouteSpec[]): SecretNeeds {
  const modules = runtimeModules(join(REPO_ROOT, 'functions', name, 'handler.ts'));
  return {
    cursor: routes.some(takesCursor),
    trino: modules.has(ENGINE_FACTORY),
    upstash:
      modules.has(CACHE_CHECKS) ||
      routes.some((r) => r.auth !== 'public' || (r.cache !== undefined && r.cache.store !== false)),
  };
}

/**
 * The API's secrets in Secrets Manager, read at run time by lib/config/secrets (Powertools, cached, never
 * logged): the cursor signing key (generated here), the Trino credentials and the Upstash REST URL and
 * token (placeholders to fill after the first deploy; empty values keep the memory cache and no Trino auth).
 */
export class ApiSecrets extends Construct {
  readonly cursorKey: Secret;
  readonly trinoCredentials: Secret;
  readonly upstash: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.cursorKey = new Secret(this, 'CursorKey', {
      description: 'Aurum: HMAC key that signs keyset pagination cursors (AURUM_CURSOR_SECRET)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.trinoCredentials = new Secret(this, 'TrinoCredentials', {
      description:
        'Aurum: Trino credentials as JSON {"user","password","token"}; optional "url" overrides the stack setting',
      secretStringValue: SecretValue.unsafePlainText(
        JSON.stringify({ user: 'aurum', password: '', token: '' }),
      ),
    });
    this.upstash = new Secret(this, 'Upstash', {
      description:
        'Aurum: Upstash Redis REST credentials as JSON {"url","token"}; empty keeps the in-memory cache',
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ url: '', token: '' })),
    });
  }

  /** Grants read on exactly the secrets these routes need and names them in the function's environment. */
  bind(fn: IFunction & { addEnvironment(key: string, value: string): unknown }, needs: SecretNeeds): void {
    const bindings: [boolean, Secret, string][] = [
      [needs.cursor, this.cursorKey, 'AURUM_CURSOR_SECRET_ARN'],
      [needs.trino, this.trinoCredentials, 'AURUM_TRINO_SECRET_ARN'],
      [needs.upstash, this.upstash, 'AURUM_UPSTASH_SECRET_ARN'],
    ];
    for (const [needed, secret, variable] of bindings) {
      if (!needed) continue;
      secret.grantRead(fn);
      fn.addEnvironment(variable, secret.secretArn);
    }
  }
}
