/**
 * A stand-in for the AWS AppConfig agent Lambda extension: a real HTTP server answering
 * GET /applications/{app}/environments/{env}/configurations/{profile} with a document the test can
 * swap, or with a 500, no answer at all, or a body that is not JSON.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAppConfigAgentOptions {
  application?: string;
  environment?: string;
  profile?: string;
  /** The evaluated (or hosted) flag document served first; default `{}`. */
  document?: unknown;
}

type Behaviour =
  | { kind: 'serve'; body: string; version: string | undefined }
  | { kind: 'fail'; status: number }
  | { kind: 'hang' }
  | { kind: 'invalid-json' };

export interface FakeAppConfigAgent {
  /** http://127.0.0.1:<port>, to pass as the agent source's base URL. */
  readonly baseUrl: string;
  readonly application: string;
  readonly environment: string;
  readonly profile: string;
  /** Requests received on the configuration path. */
  readonly requests: number;
  /** Serve this document from now on; `version` goes out as the Configuration-Version header. */
  serve(document: unknown, options?: { version?: string }): void;
  fail(status?: number): void;
  /** Accept requests and never answer them. */
  hang(): void;
  serveInvalidJson(): void;
  close(): Promise<void>;
}

export async function startFakeAppConfigAgent(
  options: FakeAppConfigAgentOptions = {},
): Promise<FakeAppConfigAgent> {
  const application = options.application ?? 'aurum';
  const environment = options.environment ?? 'test';
  const profile = options.profile ?? 'feature-flags';
  const configurationPath = `/applications/${encodeURIComponent(application)}/environments/${encodeURIComponent(environment)}/configurations/${encodeURIComponent(profile)}`;
  let behaviour: Behaviour = {
    kind: 'serve',
    body: JSON.stringify(options.document ?? {}),
    version: undefined,
  };
  let requests = 0;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://agent').pathname;
    if (request.method !== 'GET' || path !== configurationPath) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('configuration not found');
      return;
    }
    requests += 1;
    switch (behaviour.kind) {
      case 'serve':
        response
          .writeHead(200, {
            'content-type': 'application/json',
            ...(behaviour.version === undefined ? {} : { 'configuration-version': behaviour.version }),
          })
          .end(behaviour.body);
        return;
      case 'fail':
        response.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end('agent failure');
        return;
      case 'invalid-json':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"v1-iso": {"enabled": tru');
        return;
      case 'hang':
        return;
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    application,
    environment,
    profile,
    get requests() {
      return requests;
    },
    serve(document, serveOptions = {}) {
      behaviour = { kind: 'serve', body: JSON.stringify(document), version: serveOptions.version };
    },
    fail(status = 500) {
      behaviour = { kind: 'fail', status };
    },
    hang() {
      behaviour = { kind: 'hang' };
    },
    serveInvalidJson() {
      behaviour = { kind: 'invalid-json' };
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
