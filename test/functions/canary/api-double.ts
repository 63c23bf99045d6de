import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiDouble {
  url: string;
  /** Request lines and Authorization headers seen, in order. */
  readonly seen: Array<{ path: string; authorization?: string }>;
  close(): Promise<void>;
}

/**
 * An HTTP server in front of the real local API: each request goes to `override` first, and is proxied
 * unchanged when it answers false. Lets a test break one expectation of the canary and keep the rest.
 */
export async function startApiDouble(
  upstream: string,
  override: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<ApiDouble> {
  const seen: ApiDouble['seen'] = [];
  const server: Server = createServer(async (req, res) => {
    seen.push({ path: req.url ?? '/', authorization: req.headers.authorization });
    if (override(req, res)) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'connection') headers[name] = value;
    }
    const answer = await fetch(`${upstream}${req.url}`, { headers });
    const body = Buffer.from(await answer.arrayBuffer());
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (name !== 'content-encoding' && name !== 'content-length' && name !== 'transfer-encoding')
        out[name] = value;
    });
    res.writeHead(answer.status, out).end(answer.status === 304 ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The URL of a port nothing listens on (it was free a moment ago). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
