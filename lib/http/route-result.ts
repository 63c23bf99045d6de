import type { Boundary } from '#lib/paging/cursor';

/**
 * A route's answer as the stack carries it from the route call through the cache to the responder. Domains
 * never build these: the route call makes one from the implementation's answer and the route's declaration.
 */
export type RouteResult =
  | {
      kind: 'list';
      data: unknown[];
      /** Keyset boundaries: tokens are minted at response time so cached pages never hold expiring cursors. */
      next?: Boundary;
      prev?: Boundary;
      filterHash?: string;
      meta?: Record<string, unknown>;
      headers?: Record<string, string>;
      /** Content digest set when the result is loaded (see etag.ts `contentDigest`). */
      digest?: string;
    }
  | {
      kind: 'object';
      data: unknown;
      meta?: Record<string, unknown>;
      headers?: Record<string, string>;
      digest?: string;
      /** A resource's own ETag (its row version), used in place of the content digest's. */
      etag?: string;
    }
  | {
      kind: 'document';
      body: unknown;
      /** `body` is base64 of binary content: answered as is, with isBase64Encoded. */
      base64?: boolean;
      status?: number;
      contentType?: string;
      headers?: Record<string, string>;
      /** Where a continuation starts (files): minted as X-Next-Cursor when answered. */
      next?: Boundary;
      filterHash?: string;
    }
  | { kind: 'empty'; headers?: Record<string, string> };
