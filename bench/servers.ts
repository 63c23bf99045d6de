/**
 * Child process for the throughput bench: `gateway` serves every route through the local gateway (as
 * `npm start` does, over the sample DuckDB); `bare <file>` answers every request with the status, headers
 * and body recorded in the JSON file. Prints its URL on the first line of stdout.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const [mode, file] = process.argv.slice(2);

if (mode === 'bare') {
  const recorded = JSON.parse(readFileSync(file!, 'utf8')) as {
    status: number;
    headers: Record<string, string>;
    body: string;
  };
  const body = Buffer.from(recorded.body, 'utf8');
  const headers = { ...recorded.headers, 'content-length': String(body.length) };
  const server = createServer((_req, res) => {
    res.writeHead(recorded.status, headers);
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () =>
    console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
  );
} else if (mode === 'gateway') {
  const { registry } = await import('#functions/registry');
  const { createLocalGateway, listen, loadHandlers } = await import('#infra/local/gateway');
  const server = createLocalGateway({
    registry,
    handlers: await loadHandlers(registry),
    fallbackDomain: 'health',
  });
  console.log(await listen(server, 0));
} else {
  console.error('usage: servers.ts gateway | bare <recorded.json>');
  process.exit(2);
}
