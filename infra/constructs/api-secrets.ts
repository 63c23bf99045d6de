import { SecretValue } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { RouteSpec } from '#lib/http/route';

/** What a domain's routes need at run time, read from the registry so a new route brings its own grants. */
export interface SecretNeeds {
  /** Keyset cursors are signed: any list route. */
  cursor: boolean;
  /** The query engine: any route with data behind it (lists, objects, cached answers). */
  trino: boolean;
  /** Upstash: the response cache and the per-tenant rate limit (every route that is not public). */
  upstash: boolean;
}

/** The domain whose readiness route checks Trino and Redis itself. */
const READINESS_DOMAIN = 'health';

export function secretNeeds(domain: string, routes: readonly RouteSpec[]): SecretNeeds {
  const readiness = domain === READINESS_DOMAIN;
  return {
    cursor: routes.some((r) => r.response.kind === 'list'),
    trino:
      readiness || routes.some((r) => r.response.kind === 'list' || r.response.kind === 'object' || r.cache),
    upstash: readiness || routes.some((r) => r.cache !== undefined || r.auth !== 'public'),
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
