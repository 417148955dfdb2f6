// Bundles each entry point into one ESM file under dist/. One file per entry starts measurably faster than
// resolving hundreds of modules (cold start matters for scale-from-zero). PGlite stays external: it loads its
// wasm and data files relative to its own package, and only embedded mode imports it. The image keeps
// node_modules, so external packages resolve at run time.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

// `--outdir=DIR` builds elsewhere than dist/ (a test builds into a directory of its own); DIR needs node_modules
// beside it or above it, where the external packages below resolve.
const outdir = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length) ?? 'dist';
rmSync(outdir, { recursive: true, force: true });

// pg asks at import whether it runs in a Cloudflare Worker; on Node 20 (no global navigator) it answers by touching
// globalThis.Response, which makes Node load its whole fetch implementation: about 7% of a function's cold start
// (bench/RESULTS.md). The bundle only ever runs on Node, so the probe answers "no" there. If pg changes the
// function, the build says so and leaves the file as it is (correct, only slower to start).
const PG_CLOUDFLARE_PROBE = 'function isCloudflareRuntime() {';
const pgNodeOnly = {
  name: 'pg-node-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(PG_CLOUDFLARE_PROBE)) {
        return { contents: source, loader: 'js', warnings: [{ text: `pg-node-only: "${PG_CLOUDFLARE_PROBE}" not found in ${args.path}; the probe stays` }] };
      }
      return { contents: source.replace(PG_CLOUDFLARE_PROBE, `${PG_CLOUDFLARE_PROBE} return false;`), loader: 'js' };
    });
  },
};
await build({
  entryPoints: { serve: 'bin/serve.ts', migrate: 'bin/migrate.ts', functions: 'functions/framework.ts' },
  outdir,
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
  // The functions framework must be the very copy its CLI runs: `functions-framework --source=dist/functions.js`
  // looks the target up in its own registry, and a bundled copy would register every function in another one
  // ("Function 'iam' is not defined in the provided module").
  external: ['@electric-sql/pglite', 'pg-native', '@aws-sdk/*', '@google-cloud/functions-framework'],
  // Bundled CommonJS dependencies call require(); give ESM output one.
  banner: { js: "import { createRequire as __lpCreateRequire } from 'node:module'; const require = __lpCreateRequire(import.meta.url);" },
  plugins: [pgNodeOnly],
  logLevel: 'warning',
});
console.log(`built ${outdir}/serve.js, ${outdir}/migrate.js, ${outdir}/functions.js`);
