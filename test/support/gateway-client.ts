/**
 * What the integration tests of a domain share: a flags file they can switch one flag in (the local
 * gateway re-reads it), and a small client of the local gateway that reads JSON and walks keyset pages.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_FLAGS_FILE } from '#lib/flags/source';

export interface PageMeta {
  request_id: string;
  next_cursor?: string | null;
  prev_cursor?: string | null;
  has_more?: boolean;
  count?: number;
  limit?: number;
  total?: number;
  filters?: Record<string, string | null>;
}
export interface Body<T> {
  meta: PageMeta;
  data: T;
  links?: { self: string; next: string | null; prev: string | null };
}
export interface Problem {
  status: number;
  detail: string;
  errors?: { field: string; message: string; code?: string }[];
}

/** A copy of the repository's flags document in a temporary file, with `flag` switched on demand. */
export function switchableFlag(flag: string): { path: string; set(enabled: boolean): void } {
  const path = join(mkdtempSync(join(tmpdir(), `aurum-${flag}-`)), 'flags.json');
  const repo = JSON.parse(readFileSync(REPO_FLAGS_FILE, 'utf8')) as {
    values: Record<string, { enabled: boolean }>;
  };
  if (!repo.values[flag]) throw new Error(`no flag ${flag} in ${REPO_FLAGS_FILE}`);
  return {
    path,
    set(enabled) {
      const doc = structuredClone(repo);
      doc.values[flag]!.enabled = enabled;
      writeFileSync(path, JSON.stringify(doc));
    },
  };
}

/** The fields a validation problem names. */
export const problemFields = (p: Problem) => (p.errors ?? []).map((e) => e.field);

export const withCursor = (path: string, cursor: string) =>
  `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;

/** GET, JSON and a keyset walk against the gateway whose base URL `baseUrl()` gives. */
export function gatewayClient(baseUrl: () => string) {
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl()}${path}`, { headers });
  async function json<T>(path: string, headers: Record<string, string> = {}) {
    const res = await get(path, headers);
    return { res, body: (await res.json()) as T };
  }
  /** Follows next_cursor from the first page to the end; every page must be a 200. */
  async function walk<T>(path: string, headers: Record<string, string> = {}): Promise<T[]> {
    const rows: T[] = [];
    let url: string | undefined = path;
    for (let i = 0; url !== undefined && i < 500; i++) {
      const { res, body }: { res: Response; body: Body<T[]> } = await json<Body<T[]>>(url, headers);
      expect(res.status).toBe(200);
      rows.push(...body.data);
      url = body.meta.next_cursor ? withCursor(path, body.meta.next_cursor) : undefined;
    }
    return rows;
  }
  return { get, json, walk };
}
