// Bundles each entry point into one ESM file under dist/. One file per entry starts measurably faster than
// resolving hundreds of modules (cold start matters for scale-from-zero). PGlite stays external: it loads its
// wasm and data files relative to its own package, and only embedded mode imports it. The image keeps
// node_modules, so external packages resolve at run time.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { serve: 'bin/serve.ts', migrate: 'bin/migrate.ts', functions: 'functions/framework.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Each function is its own chunk (functions/registry.ts imports them dynamically): a pod serving one function
  // parses and runs only that one at start.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  // The AWS SDK is loaded on first use of an S3 warehouse only; bundled, every cold start would parse it.
  external: ['@electric-sql/pglite', 'pg-native', '@aws-sdk/*'],
  // Bundled CommonJS dependencies call require(); give ESM output one.
  banner: { js: "import { createRequire as __lpCreateRequire } from 'node:module'; const require = __lpCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
console.log('built dist/serve.js, dist/migrate.js, dist/functions.js');
