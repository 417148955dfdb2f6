import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The import graph's rules (../shared/STYLE.md): one-way, so functions deploy alone and domain code stays pure.
 *
 * A module is a folder with one door, its index.ts: each folder directly under shared/, each folder under
 * shared/domains/ (domain code several functions share), and each function, functions/<name>/. A function's own
 * subfolders (routes/, handlers/, domain/) are layers of that one deployable, not modules: nothing outside the
 * function reaches them, so they need no door of their own. The floors, bottom up: the kernel (every shared/ module
 * but these three: mechanisms and ports), shared/domains/, then shared/platform/ (createPlatform(), the Platform
 * record) and shared/framework/ (the functions-framework glue), then the functions.
 */
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

/**
 * What a file imports, by the compiler's own reading: static, dynamic and re-exports, `import type` included. A
 * type-only circle is erased at run time but is as much a tangle to a reader as any other.
 */
function imports(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

const resolveTo = (file: string, spec: string) => path.relative(root, path.resolve(path.dirname(file), spec));

/** The module a repository path belongs to, or undefined for entry points (bin/, functions/*.ts) and other files. */
function moduleOf(relPath: string): string | undefined {
  const parts = relPath.split('/');
  if (parts[0] === 'shared' && parts[1] === 'domains') return parts.length > 3 ? parts.slice(0, 3).join('/') : undefined;
  if ((parts[0] === 'shared' || parts[0] === 'functions') && parts.length > 2) return parts.slice(0, 2).join('/');
  return undefined;
}

/** Production code, what the build bundles. Tests and benchmarks may reach inside a module to measure a part of it. */
const productionFiles = ['shared', 'functions', 'bin'].flatMap((d) => sources(path.join(root, d)));

/** Every import between two modules, as module -> module -> the file-level imports that make the edge. */
function moduleGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of productionFiles) {
    const from = moduleOf(path.relative(root, file));
    if (!from) continue;
    for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
      const target = resolveTo(file, spec).replace(/\.js$/, '.ts');
      const to = moduleOf(target);
      if (!to || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), `${path.relative(root, file)} -> ${target}`]);
    }
  }
  return graph;
}

/** The graph's strongly connected components of more than one module (Tarjan): each is at least one circle. */
function tangles(graph: Map<string, Map<string, string[]>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** A tangle's imports between its own modules, each named by one file-level import that makes it. */
function edgesWithin(graph: Map<string, Map<string, string[]>>, component: readonly string[]): string[] {
  const members = new Set(component);
  return component.flatMap((from) =>
    [...(graph.get(from) ?? new Map<string, string[]>())]
      .filter(([to]) => members.has(to))
      .map(([to, via]) => `${from} -> ${to}  (${via[0]}${via.length > 1 ? ` and ${via.length - 1} more` : ''})`),
  );
}

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

  it('the kernel never imports the domain tier or the composition root', () => {
    // shared/<module>/ holds mechanisms and ports, each taking the narrow dependencies it uses; shared/domains/,
    // shared/platform/ (createPlatform() and the Platform record) and shared/framework/ (the functions-framework
    // glue, which builds a platform) build on them, never the other way round.
    const above = /^shared\/(domains|platform|framework)\//;
    for (const file of sources(path.join(root, 'shared')).filter((f) => !above.test(path.relative(root, f)))) {
      for (const spec of imports(file).filter((s) => s.startsWith('.'))) expect(resolveTo(file, spec), path.relative(root, file)).not.toMatch(above);
    }
  });

  it('domain/ code does no I/O: no database, HTTP, filesystem or platform imports', () => {
    for (const fn of functionDirs) {
      const dir = path.join(root, 'functions', fn, 'domain');
      let files: string[];
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

  it('the kernel type-checks without shared/platform: it reads only the dependencies it declares', () => {
    // ctx.platform is FunctionServices, which shared/platform declares to be the whole Platform. Compiled without
    // shared/platform that record is empty, so kernel code that reached into it instead of declaring what it uses
    // fails here, even though the full build (which sees the declaration) would let it through.
    const kernel = sources(path.join(root, 'shared')).filter((f) => !/^shared\/(domains|platform|framework)\//.test(path.relative(root, f)));
    const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, root);
    const program = ts.createProgram(kernel, parsed.options);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file ? path.relative(root, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).toEqual([]);
  }, 300_000);

  it('no import circle between modules', () => {
    const graph = moduleGraph();
    const circles = tangles(graph).map((component) =>
      [
        `${component.length} modules in one tangle: ${component.join(', ')}; their imports of each other:`,
        ...edgesWithin(graph, component).map((e) => `    ${e}`),
      ].join('\n'),
    );
    expect(circles, `import circles between modules:\n${circles.join('\n')}`).toEqual([]);
  });

  it('a module is entered only through its index.ts', () => {
    const bypasses: string[] = [];
    for (const file of productionFiles) {
      const from = moduleOf(path.relative(root, file));
      for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
        const target = resolveTo(file, spec).replace(/\.js$/, '.ts');
        const to = moduleOf(target);
        if (!to || to === from) continue;
        const door = `${to}/index.ts`;
        if (existsSync(path.join(root, door)) ? target !== door : true) bypasses.push(`${path.relative(root, file)} imports ${target}, not ${door}`);
      }
    }
    expect(bypasses, `imports past a module's index.ts:\n${bypasses.join('\n')}`).toEqual([]);
  });
});
