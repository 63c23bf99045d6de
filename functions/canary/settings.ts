export interface CanarySettings {
  baseUrl: string;
  token?: string;
  probeTimeoutMs: number;
}

/** What the canary needs to know: the API base URL and, optionally, a bearer token for tenant routes. */
export interface CanaryEnvironment {
  AURUM_CANARY_BASE_URL?: string;
  AURUM_CANARY_TOKEN?: string;
  /** A Secrets Manager secret holding the token (plain, or JSON with a `token` member); wins over the plain variable. */
  AURUM_CANARY_TOKEN_SECRET_ARN?: string;
  AURUM_CANARY_PROBE_TIMEOUT_MS?: string;
}

/** Reads a secret's token; the secrets client is loaded only when a secret is configured. */
export async function tokenFromSecret(arn: string): Promise<string> {
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  // Cached for five minutes per container, so a scheduled canary reads Secrets Manager rarely.
  const value = await getSecret(arn, { maxAge: 300 });
  const text = typeof value === 'string' ? value : value ? Buffer.from(value).toString('utf8') : '';
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
): Promise<CanarySettings> {
  const baseUrl = env.AURUM_CANARY_BASE_URL?.trim();
  if (!baseUrl) throw new Error('AURUM_CANARY_BASE_URL is not set');
  if (!/^https?:\/\//.test(baseUrl)) throw new Error('AURUM_CANARY_BASE_URL must be an http(s) URL');
  const timeout = Number(env.AURUM_CANARY_PROBE_TIMEOUT_MS);
  const token = env.AURUM_CANARY_TOKEN_SECRET_ARN
    ? await readSecret(env.AURUM_CANARY_TOKEN_SECRET_ARN)
    : env.AURUM_CANARY_TOKEN?.trim() || undefined;
  return {
    baseUrl,
    ...(token ? { token } : {}),
    probeTimeoutMs: Number.isInteger(timeout) && timeout > 0 ? timeout : 5_000,
  };
}
