import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTokenEndpoint {
  url: string;
  /** Every grant request: its client id, form and the token answered (if any). */
  readonly grants: Array<{ clientId?: string; form: URLSearchParams; token?: string }>;
  /** Refuse every grant from now on, as a rotated client secret would. */
  refuse(status?: number, error?: string): void;
  close(): Promise<void>;
}

/** An OAuth 2.0 token endpoint speaking client_credentials with HTTP Basic client auth (RFC 6749 §4.4, §2.3.1). */
export async function startFakeTokenEndpoint(client: {
  id: string;
  secret: string;
}): Promise<FakeTokenEndpoint> {
  const grants: FakeTokenEndpoint['grants'] = [];
  let refusal: { status: number; error: string } | undefined;
  let issued = 0;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [id, secret] = basic
      ? Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent)
      : [];
    const answer = (status: number, body: unknown) =>
      res
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(body));
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      grants.push({ clientId: id, form });
      return answer(400, { error: 'invalid_request' });
    }
    if (refusal || id !== client.id || secret !== client.secret) {
      grants.push({ clientId: id, form });
      return answer(refusal?.status ?? 401, { error: refusal?.error ?? 'invalid_client' });
    }
    if (form.get('grant_type') !== 'client_credentials') {
      grants.push({ clientId: id, form });
      return answer(400, { error: 'unsupported_grant_type' });
    }
    issued += 1;
    const token = `fresh-token-${issued}`;
    grants.push({ clientId: id, form, token });
    return answer(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/token`,
    grants,
    refuse(status = 401, error = 'invalid_client') {
      refusal = { status, error };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
