import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LIB = join(root, 'lib');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Every lib/ module a lib/ file imports, type-only imports included: a type circle is still a circle to read. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const targets: string[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+'([^']+)'/gm)) {
    const specifier = match[1]!;
    if (specifier.startsWith('#lib/')) targets.push(join(LIB, `${specifier.slice('#lib/'.length)}.ts`));
    else if (specifier.startsWith('.')) targets.push(resolve(dirname(file), specifier));
  }
  return targets.filter((t) => t.startsWith(LIB));
}

const graph = new Map(sources(LIB).map((file) => [file, importsOf(file)]));
const name = (file: string) => relative(root, file);

describe('lib/ imports', () => {
  it('have no circle', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const walk = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].map(name).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) walk(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) walk(file, []);
    expect(circles).toEqual([]);
  });

  it('keep lib/data free of lib/http', () => {
    const offending = [...graph]
      .filter(([file]) => file.startsWith(join(LIB, 'data')))
      .flatMap(([file, targets]) =>
        targets.filter((t) => t.startsWith(join(LIB, 'http'))).map((t) => `${name(file)} → ${name(t)}`),
      );
    expect(offending).toEqual([]);
    // The walk found the files it should have: a vacuous pass would hide a broken parser.
    expect(graph.get(join(LIB, 'paging', 'list.ts'))).toContain(join(LIB, 'data', 'engine.ts'));
  });
});
