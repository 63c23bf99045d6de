import { type ClientCredentials, isUnconfiguredClient, parseClientCredentials } from './token-grant.ts';

export interface CanarySettings {
  baseUrl: string;
  /** A static token (local runs); the deployed canary uses `grant` and gets a fresh token every run. */
  token?: string;
  grant?: ClientCredentials;
  probeTimeoutMs: number;
}

/** What the canary needs to know: the API base URL and, optionally, a bearer token for tenant routes. */
export interface CanaryEnvironment {
  AURUM_CANARY_BASE_URL?: string;
  AURUM_CANARY_TOKEN?: string;
  /** A Secrets Manager secret holding the token (plain, or JSON with a `token` member); wins over the plain variable. */
  AURUM_CANARY_TOKEN_SECRET_ARN?: string;
  AURUM_CANARY_PROBE_TIMEOUT_MS?: string;
  /** A secret `{token_url, client_id, client_secret, scope}`: a client-credentials grant on every run. Wins over tokens. */
  AURUM_CANARY_CLIENT_SECRET_ARN?: string;
  /** The same, without Secrets Manager (local runs). */
  AURUM_CANARY_TOKEN_URL?: string;
  AURUM_CANARY_CLIENT_ID?: string;
  AURUM_CANARY_CLIENT_SECRET?: string;
  AURUM_CANARY_SCOPE?: string;
}

/** Reads a secret's text; the secrets client is loaded only when a secret is configured. */
export async function secretText(arn: string): Promise<string> {
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const value = await getSecret(arn, { maxAge: 300 });
  return typeof value === 'string' ? value : value ? Buffer.from(value).toString('utf8') : '';
}

async function grantFromEnv(
  env: CanaryEnvironment,
  readSecretText: (arn: string) => Promise<string>,
): Promise<ClientCredentials | undefined> {
  if (env.AURUM_CANARY_CLIENT_SECRET_ARN) {
    const text = await readSecretText(env.AURUM_CANARY_CLIENT_SECRET_ARN);
    // The stack's placeholder, not filled yet: fall back to the static token secret.
    return isUnconfiguredClient(text) ? undefined : parseClientCredentials(text);
  }
  if (env.AURUM_CANARY_TOKEN_URL || env.AURUM_CANARY_CLIENT_ID || env.AURUM_CANARY_CLIENT_SECRET)
    return parseClientCredentials(
      JSON.stringify({
        token_url: env.AURUM_CANARY_TOKEN_URL,
        client_id: env.AURUM_CANARY_CLIENT_ID,
        client_secret: env.AURUM_CANARY_CLIENT_SECRET,
        scope: env.AURUM_CANARY_SCOPE,
      }),
    );
  return undefined;
}

/** Reads a static token from a secret (plain, or JSON `{token}`); kept for stacks not yet on the grant. */
export async function tokenFromSecret(arn: string): Promise<string> {
  // Cached for five minutes per container, so a scheduled canary reads Secrets Manager rarely.
  const text = await secretText(arn);
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { token?: unknown }).token === 'string') {
      return (parsed as { token: string }).token;
    }
  } catch {
    // Not JSON: the secret is the token itself.
  }
  if (!text.trim()) throw new Error('the canary token secret is empty');
  return text.trim();
}

export async function canarySettingsFromEnv(
  env: CanaryEnvironment = process.env,
  readSecret: (arn: string) => Promise<string> = tokenFromSecret,
  readSecretText: (arn: string) => Promise<string> = secretText,
): Promise<CanarySettings> {
  const baseUrl = env.AURUM_CANARY_BASE_URL?.trim();
  if (!baseUrl) throw new Error('AURUM_CANARY_BASE_URL is not set');
  if (!/^https?:\/\//.test(baseUrl)) throw new Error('AURUM_CANARY_BASE_URL must be an http(s) URL');
  const timeout = Number(env.AURUM_CANARY_PROBE_TIMEOUT_MS);
  const grant = await grantFromEnv(env, readSecretText);
  const token = grant
    ? undefined
    : env.AURUM_CANARY_TOKEN_SECRET_ARN
      ? await readSecret(env.AURUM_CANARY_TOKEN_SECRET_ARN)
      : env.AURUM_CANARY_TOKEN?.trim() || undefined;
  return {
    baseUrl,
    ...(grant ? { grant } : {}),
    ...(token ? { token } : {}),
    probeTimeoutMs: Number.isInteger(timeout) && timeout > 0 ? timeout : 5_000,
  };
}
