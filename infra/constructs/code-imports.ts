import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '#infra/layer/shared-module';

/** `import … from '…'`, `export … from '…'` and `import('…')`; type-only imports load nothing and are skipped. */
const STATIC_IMPORT = /^\s*(import|export)(\s+type\b)?[^'"]*?from\s+'([^']+)'/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*'([^']+)'\s*\)/g;

function resolveSpecifier(from: string, specifier: string): string | undefined {
  const aliases: Record<string, string> = { '#lib/': 'lib', '#functions/': 'functions' };
  for (const [prefix, dir] of Object.entries(aliases))
    if (specifier.startsWith(prefix)) return join(REPO_ROOT, dir, `${specifier.slice(prefix.length)}.ts`);
  if (specifier.startsWith('.')) return resolve(dirname(from), specifier);
  return undefined; // a package or a Node built-in
}

/**
 * Every repository module the code starting at `entry` loads at run time (static and dynamic imports,
 * type-only ones left out), as repo-relative paths. The stack reads it to grant each function what its
 * code can reach, so a grant follows the code instead of a hand-kept list.
 */
export function runtimeModules(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    const path = relative(REPO_ROOT, file);
    if (seen.has(path) || !existsSync(file)) return;
    seen.add(path);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(STATIC_IMPORT)) {
      if (match[2]) continue;
      const target = resolveSpecifier(file, match[3]!);
      if (target) visit(target);
    }
    for (const match of text.matchAll(DYNAMIC_IMPORT)) {
      const target = resolveSpecifier(file, match[1]!);
      if (target) visit(target);
    }
  };
  visit(entry);
  return seen;
}
