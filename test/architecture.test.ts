import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** The import graph's rules (../shared/STYLE.md): one-way, so functions deploy alone and domain code stays pure. */
const root = path.resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (full.endsWith('.ts') && !full.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2]) as string);
}

const resolveTo = (file: string, spec: string) => path.relative(root, path.resolve(path.dirname(file), spec));

describe('import rules', () => {
  const functionDirs = readdirSync(path.join(root, 'functions')).filter((d) => statSync(path.join(root, 'functions', d)).isDirectory());

  it('a function never imports another function', () => {
    for (const fn of functionDirs) {
      for (const file of sources(path.join(root, 'functions', fn))) {
        for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
          const target = resolveTo(file, spec);
          if (target.startsWith('functions/')) expect(target.startsWith(`functions/${fn}/`), `${path.relative(root, file)} imports ${target}`).toBe(true);
        }
      }
    }
  });

  it('shared/ never imports a function', () => {
    for (const file of sources(path.join(root, 'shared'))) {
      for (const spec of imports(file).filter((s) => s.startsWith('.'))) expect(resolveTo(file, spec), path.relative(root, file)).not.toMatch(/^functions\//);
    }
  });

  it('domain/ code does no I/O: no database, HTTP, filesystem or platform imports', () => {
    for (const fn of functionDirs) {
      const dir = path.join(root, 'functions', fn, 'domain');
      let files: string[] = [];
      try {
        files = sources(dir);
      } catch {
        continue;
      }
      for (const file of files) {
        for (const spec of imports(file)) {
          expect(spec, path.relative(root, file)).not.toMatch(/^(node:(fs|http|https|net|child_process)|pg|kysely|@electric-sql|@kubernetes)/);
          if (spec.startsWith('.')) expect(resolveTo(file, spec), path.relative(root, file)).not.toMatch(/shared\/(db|http|platform|events)/);
        }
      }
    }
  });
});
