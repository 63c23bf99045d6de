import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '#infra/constructs/function-bundling';

const run = promisify(execFile);

/**
 * A function whose entry shares a module with a lazily imported one: esbuild splits the shared module into
 * a chunk both import, and bundleFunction folds that chunk back into index.mjs.
 */
const SOURCES = {
  'shared.ts': `export class Token { constructor(readonly id: string) {} }
export const sharedUrl = import.meta.url;
export let created = 0;
export const make = (id: string) => { created++; return new Token(id); };`,
  'later.ts': `import { make } from './shared.ts';
export const later = () => make('later');`,
  'handler.ts': `import { created, make, sharedUrl, Token } from './shared.ts';
export const handler = async () => {
  const { later } = await import('./later.ts');
  const token = later();
  return { sameClass: token instanceof Token, created, sharedUrl, first: make('first').id };
};`,
};

describe('folding the chunks an entry imports statically (bundleFunction)', () => {
  let dir: string;
  let out: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aurum-fold-'));
    mkdirSync(join(dir, 'src'));
    for (const [name, code] of Object.entries(SOURCES)) writeFileSync(join(dir, 'src', name), code);
    out = join(dir, 'out');
    bundleFunction({ entry: join(dir, 'src', 'handler.ts'), outDir: out });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the entry importing no chunk of its own, and the shared chunk a re-export from it', () => {
    const index = readFileSync(join(out, 'index.mjs'), 'utf8');
    expect(index).not.toMatch(/from\s*["']\.\/chunks\//);
    expect(index).toMatch(/import\(["']\.\/chunks\/later-[A-Z0-9]{8}\.mjs["']\)/);
    const chunks = readdirSync(join(out, 'chunks')).filter((f) => f.endsWith('.mjs'));
    const stubs = chunks.filter((f) =>
      /^export\{[\w$, ]*\}from"\.\.\/index\.mjs";\n$/.test(readFileSync(join(out, 'chunks', f), 'utf8')),
    );
    expect(stubs).toHaveLength(1);
    expect(existsSync(join(out, 'chunks', `${stubs[0]}.map`))).toBe(false);
    // The merged entry's source map still names the original sources.
    const map = JSON.parse(readFileSync(join(out, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith('src/shared.ts'))).toBe(true);
  });

  it('gives the lazy module the entry’s own bindings, and the shared module the URL its chunk had', async () => {
    const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(join(out, 'index.mjs')).href)});
process.stdout.write(JSON.stringify(await handler()));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    const answer = JSON.parse(stdout) as {
      sameClass: boolean;
      created: number;
      sharedUrl: string;
      first: string;
    };
    expect(answer.sameClass).toBe(true);
    // The lazy module's make() counted in the entry's own `created`.
    expect(answer.created).toBe(1);
    expect(answer.first).toBe('first');
    expect(answer.sharedUrl).toMatch(/\/out\/chunks\/chunk-[A-Z0-9]{8}\.mjs$/);
    expect(existsSync(new URL(answer.sharedUrl))).toBe(true);
  });
});

describe('a shared module that reads import.meta beyond its url', () => {
  it('is refused at build time rather than folded with a wrong import.meta', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aurum-fold-meta-'));
    try {
      mkdirSync(join(dir, 'src'));
      const sources = {
        ...SOURCES,
        'shared.ts': `${SOURCES['shared.ts']}\nexport const here = import.meta.resolve('./later.ts');`,
      };
      for (const [name, code] of Object.entries(sources)) writeFileSync(join(dir, 'src', name), code);
      expect(() =>
        bundleFunction({ entry: join(dir, 'src', 'handler.ts'), outDir: join(dir, 'out') }),
      ).toThrow(/chunks\/chunk-[A-Z0-9]{8}\.mjs reads import\.meta other than its url; it cannot be folded/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
