import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';

/**
 * A stand-in for drought.gov's tile service over real HTTP: any `….png` path answers a real PNG (1×1, its
 * colour and a text chunk derived from the path, so every tile differs), any `…/info.json` a TileJSON
 * document. Behaviours can be set per path prefix (a status, a delay, a body) and every request path is
 * recorded, so tests can count upstream calls and see exactly which URL the proxy asked for.
 */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid 1×1 RGB PNG whose pixel and `Comment` text come from `label`. */
export function pngFor(label: string): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const seed = crc32(Buffer.from(label));
  const scanline = Buffer.from([0, seed & 0xff, (seed >>> 8) & 0xff, (seed >>> 16) & 0xff]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from(`Comment\0${label}`, 'latin1')),
    chunk('IDAT', deflateSync(scanline)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface FakeBehaviour {
  status?: number;
  delayMs?: number;
  body?: string | Buffer;
  contentType?: string;
}

export interface FakeTileServer {
  /** Base URL to configure as AURUM_DROUGHT_TILE_BASE_URL (ends with `/tiles/`). */
  url: string;
  /** Every request's raw path and query, in arrival order. */
  readonly requests: string[];
  /** Requests whose path starts with `prefix` (below the base) get `behaviour` instead of the default. */
  on(prefix: string, behaviour: FakeBehaviour): void;
  reset(): void;
  close(): Promise<void>;
}

const BASE_PATH = '/tiles/';

export async function startFakeTileServer(): Promise<FakeTileServer> {
  const requests: string[] = [];
  let behaviours: Array<[string, FakeBehaviour]> = [];
  const server: Server = createServer((req, res) => {
    const raw = req.url ?? '/';
    requests.push(raw);
    const path = raw.startsWith(BASE_PATH) ? raw.slice(BASE_PATH.length) : raw;
    const behaviour = behaviours.find(([prefix]) => path.startsWith(prefix))?.[1] ?? {};
    const answer = () => {
      if (res.destroyed) return;
      const status = behaviour.status ?? (raw.startsWith(BASE_PATH) ? 200 : 404);
      let body: string | Buffer;
      let type: string;
      if (behaviour.body !== undefined) {
        body = behaviour.body;
        type = behaviour.contentType ?? 'application/octet-stream';
      } else if (status !== 200) {
        body = `<html><body>${status}</body></html>`;
        type = 'text/html';
      } else if (path.endsWith('.png')) {
        body = pngFor(path);
        type = 'image/png';
      } else if (path.endsWith('/info.json')) {
        const dir = path.slice(0, -'/info.json'.length);
        body = JSON.stringify({
          tilejson: '3.0.0',
          name: dir,
          tiles: [`https://tiles.example/${dir}/{z}/{x}/{y}.png`],
          minzoom: 1,
          maxzoom: 5,
          bounds: [-125, 24, -66, 50],
        });
        type = 'application/json';
      } else {
        body = 'not found';
        type = 'text/plain';
      }
      res.writeHead(status, { 'Content-Type': behaviour.contentType ?? type });
      res.end(body);
    };
    if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs).unref();
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    requests,
    on: (prefix, behaviour) => {
      behaviours = [[prefix, behaviour], ...behaviours];
    },
    reset: () => {
      behaviours = [];
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
