/** What the canary needs for an OAuth 2.0 client-credentials grant (RFC 6749 §4.4) at the issuer. */
export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes to ask for, e.g. `aurum-api/curves:read`. */
  scope?: string;
}

/** A refused or broken grant, worded for the report: never the secret, never the token. */
export class TokenGrantFailed extends Error {
  override readonly name = 'TokenGrantFailed';
}

/** Asks the token endpoint for a fresh access token, authenticating with HTTP Basic (client_secret_basic). */
export async function requestClientCredentialsToken(
  grant: ClientCredentials,
  timeoutMs = 5_000,
): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (grant.scope) form.set('scope', grant.scope);
  const basic = Buffer.from(
    `${encodeURIComponent(grant.clientId)}:${encodeURIComponent(grant.clientSecret)}`,
  ).toString('base64');
  let res: Response;
  try {
    res = await fetch(grant.tokenUrl, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${basic}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: form,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const e = error as { name?: string; cause?: { code?: unknown } };
    if (e.name === 'TimeoutError')
      throw new TokenGrantFailed(`token endpoint timed out after ${timeoutMs} ms`);
    const code = typeof e.cause?.code === 'string' ? e.cause.code : 'network error';
    throw new TokenGrantFailed(`token endpoint unreachable (${code})`);
  }
  let body: { access_token?: unknown; error?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // Reported below.
  }
  if (!res.ok) {
    // RFC 6749 §5.2 error codes are fixed words (invalid_client, …); anything else is not repeated.
    const code =
      typeof body.error === 'string' && /^[a-z_]{1,40}$/.test(body.error) ? ` (${body.error})` : '';
    throw new TokenGrantFailed(`token endpoint refused the grant: HTTP ${res.status}${code}`);
  }
  if (typeof body.access_token !== 'string' || body.access_token === '')
    throw new TokenGrantFailed('token endpoint answered without an access_token');
  return body.access_token;
}

/** The placeholder the stack creates: every member empty means "no grant configured yet". */
export function isUnconfiguredClient(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return ['token_url', 'client_id', 'client_secret'].every((k) => !parsed[k]);
  } catch {
    return false;
  }
}

/** Reads `{token_url, client_id, client_secret, scope?}` from a JSON secret. */
export function parseClientCredentials(text: string): ClientCredentials {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error('the canary client secret is not JSON {token_url, client_id, client_secret, scope}');
  }
  const field = (name: string) => (typeof parsed[name] === 'string' ? (parsed[name] as string).trim() : '');
  const tokenUrl = field('token_url');
  const clientId = field('client_id');
  const clientSecret = field('client_secret');
  if (!tokenUrl || !clientId || !clientSecret)
    throw new Error('the canary client secret needs token_url, client_id and client_secret');
  if (!/^https?:\/\//.test(tokenUrl)) throw new Error('the canary client secret’s token_url must be http(s)');
  return { tokenUrl, clientId, clientSecret, ...(field('scope') ? { scope: field('scope') } : {}) };
}
