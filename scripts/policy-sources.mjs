// What scripts/build-policies.mjs and the staleness test agree on: where the Rego lives, how it is built, and the
// digest of its sources.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const REGO_DIR = 'functions/policies/rego';
export const OPA_BUILD_ARGS = ['build', '-t', 'wasm', '-e', 'lakeplane/control/allow', '-e', 'lakeplane/control/reasons'];

/** sha256 over every .rego and .json file of the folder, by name, in name order. */
export function controlSourcesDigest(root = '.') {
  const dir = path.join(root, REGO_DIR);
  const h = createHash('sha256');
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.rego') || n.endsWith('.json'))
    .sort()) {
    h.update(f)
      .update('\0')
      .update(readFileSync(path.join(dir, f)))
      .update('\0');
  }
  return h.digest('hex');
}

/** The opa CLI: LAKEPLANE_OPA, else on PATH, else in Go's bin folder. */
export function findOpa() {
  const candidates = [process.env.LAKEPLANE_OPA, 'opa'];
  try {
    candidates.push(path.join(execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim(), 'bin', 'opa'));
  } catch {
    /* no Go */
  }
  for (const c of candidates) {
    if (!c) continue;
    try {
      execFileSync(c, ['version'], { stdio: 'ignore' });
      return c;
    } catch {
      if (existsSync(c)) return c;
    }
  }
  return undefined;
}
