// Helpers for manifests.test.ts: loading the manifests, and the two schema sources they are checked against
// (Knative's CRDs from shared/ref, Kubernetes' own schemas from the kubernetes-validate PyPI package).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { it } from 'vitest';

// ajv-formats is CommonJS: under NodeNext its default import is module.exports, whose .default is the plugin.
const addFormats = ajvFormats.default;

export type Obj = Record<string, any>; // manifests are free-form YAML; the schemas below are what type them
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REQUIRE_ALL = process.env.LAKEPLANE_REQUIRE_ALL === '1';

/**
 * Returns true when a prerequisite is there. Otherwise warns and returns false (callers skip), or, under
 * LAKEPLANE_REQUIRE_ALL=1 (CI), registers a failing test, so CI can never pass by skipping.
 */
export function prerequisite(what: string, missing: string | undefined): boolean {
  if (missing === undefined) return true;
  const message = `${what}: ${missing}`;
  if (REQUIRE_ALL) {
    it(`prerequisite: ${what}`, () => {
      throw new Error(`${message} (LAKEPLANE_REQUIRE_ALL=1 turns this skip into a failure)`);
    });
  } else {
    console.warn(`\n*** SKIPPED ${message}\n`);
  }
  return false;
}

/** Every document of a YAML file under the repo root. YAML 1.1, as the API server's parser reads it. */
export function loadDocs(rel: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(join(ROOT, rel), 'utf8'), { version: '1.1' });
  if (!Array.isArray(docs)) return [];
  return docs
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`${rel}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as Obj;
    })
    .filter((d) => d !== null);
}

export function loadDoc(rel: string): Obj {
  const docs = loadDocs(rel);
  if (docs.length !== 1) throw new Error(`${rel}: expected one document, found ${docs.length}`);
  return docs[0]!;
}

/** Paths (relative to ROOT) of every .yaml/.yml file under a folder, recursively. */
export function yamlFilesUnder(relDir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const name of readdirSync(abs)) {
      const p = join(abs, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) out.push(relative(ROOT, p));
    }
  };
  walk(join(ROOT, relDir));
  return out.sort();
}

/** A function is a folder functions/<name>/ with an index.ts. */
export function functionNames(): string[] {
  const dir = join(ROOT, 'functions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'index.ts')))
    .sort();
}

export function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Knative CRDs

export function refDir(): string {
  return resolve(ROOT, process.env.LAKEPLANE_SHARED_REF ?? '../shared/ref');
}

/**
 * The API server rejects fields its structural schema does not declare (kubectl's default --validate=strict), but
 * JSON Schema allows them unless told otherwise. So: every object schema that lists properties and does not set
 * x-kubernetes-preserve-unknown-fields gets additionalProperties: false. apiVersion, kind and metadata are implicit
 * at the root (and in embedded resources), so they are added there. Other x-kubernetes-* keywords only describe
 * merging and defaulting, and ajv (strict: false) ignores them.
 */
export function strictStructural(schema: Obj, root = true): Obj {
  const out: Obj = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Obj).map(([k, s]) => [k, strictStructural(s, false)]));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && typeof value === 'object') {
      out[key] = strictStructural(value, false);
    } else if (key === 'anyOf' || key === 'allOf' || key === 'oneOf') {
      out[key] = (value as Obj[]).map((s) => strictStructural(s, false));
    } else {
      out[key] = value;
    }
  }
  if (root || out['x-kubernetes-embedded-resource'] === true) {
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...out.properties };
  }
  if (out.properties && out['x-kubernetes-preserve-unknown-fields'] !== true && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

export type DocValidator = (doc: Obj) => string[];

/** One validator for every apiVersion/kind that the given CRD files serve. */
export function crdValidator(crdFiles: string[]): DocValidator {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const byType = new Map<string, ValidateFunction>();
  for (const file of crdFiles) {
    const crd = parseAllDocuments(readFileSync(file, 'utf8'))
      .map((d) => d.toJS() as Obj)
      .find((d) => d?.kind === 'CustomResourceDefinition');
    if (!crd) throw new Error(`${file}: no CustomResourceDefinition`);
    for (const v of crd.spec.versions as Obj[]) {
      if (!v.served) continue;
      byType.set(`${crd.spec.group}/${v.name} ${crd.spec.names.kind}`, ajv.compile(strictStructural(v.schema.openAPIV3Schema)));
    }
  }
  return (doc) => {
    const validate = byType.get(`${doc.apiVersion} ${doc.kind}`);
    if (!validate) return [`no CRD serves ${doc.apiVersion} ${doc.kind} (have: ${[...byType.keys()].join(', ')})`];
    return validate(doc) ? [] : formatErrors(validate.errors);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes built-in kinds

export const K8S_VERSION = process.env.LAKEPLANE_K8S_VERSION ?? '1.34.0';
export const K8S_SCHEMAS_INSTALL = 'python3 -m pip install kubernetes-validate==1.37.0';

/**
 * Kubernetes' own schemas, as JSON Schema generated from its OpenAPI and made strict (unknown fields rejected).
 * They ship inside the PyPI package kubernetes-validate, which needs nothing but a registry to install. Found through
 * python3 (or LAKEPLANE_PYTHON), or at LAKEPLANE_K8S_SCHEMAS (a kubernetes-json-schema folder, e.g. from the wheel).
 * Returns the folder of K8S_VERSION's strict schemas, or why there is none.
 */
export function k8sSchemaDir(): { dir: string } | { missing: string } {
  let base = process.env.LAKEPLANE_K8S_SCHEMAS;
  if (!base) {
    try {
      const pkg = execFileSync(
        process.env.LAKEPLANE_PYTHON ?? 'python3',
        ['-c', 'import kubernetes_validate, os; print(os.path.dirname(kubernetes_validate.__file__))'],
        { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      base = join(pkg.trim(), 'kubernetes-json-schema');
    } catch {
      return { missing: `the PyPI package kubernetes-validate is not importable by python3; install it: ${K8S_SCHEMAS_INSTALL}` };
    }
  }
  const dir = join(base, `v${K8S_VERSION}-local-strict`);
  return existsSync(join(dir, '_definitions.json')) ? { dir } : { missing: `no strict schemas for Kubernetes ${K8S_VERSION} at ${dir}` };
}

export interface K8sValidators {
  /** A whole object of a built-in kind (Namespace, Job, ...), by its apiVersion and kind. */
  doc: DocValidator;
  /** A fragment against one definition, e.g. io.k8s.api.core.v1.PodSpec. */
  definition(name: string, value: unknown): string[];
}

export function k8sValidators(dir: string): K8sValidators {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const defs = JSON.parse(readFileSync(join(dir, '_definitions.json'), 'utf8')) as Obj;
  ajv.addSchema(defs);
  const cache = new Map<string, ValidateFunction>();
  const compiled = (key: string, schema: () => Obj): ValidateFunction => {
    let v = cache.get(key);
    if (!v) cache.set(key, (v = ajv.compile(schema())));
    return v;
  };
  return {
    doc(doc) {
      // kubernetes-validate's file naming: rbac.authorization.k8s.io/v1 Role -> role-rbac-v1.json, v1 Secret -> secret-v1.json
      const file = `${String(doc.kind).toLowerCase()}-${String(doc.apiVersion).replace(/^([^./]*)(?:\.[^/]*)?\//, '$1-')}.json`;
      if (!existsSync(join(dir, file))) return [`no Kubernetes ${K8S_VERSION} schema for ${doc.apiVersion} ${doc.kind} (${file})`];
      const validate = compiled(file, () => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Obj);
      return validate(doc) ? [] : formatErrors(validate.errors);
    },
    definition(name, value) {
      const validate = compiled(name, () => ({ $ref: `${defs.$id}#/$defs/${name}` }));
      return validate(value) ? [] : formatErrors(validate.errors);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// kustomize

/** How to render a kustomization here: a kustomize binary, or kubectl's built-in one. */
export function kustomizeCommand(): { run: (dir: string) => string } | { missing: string } {
  for (const [bin, args] of [
    ['kustomize', ['build']],
    ['kubectl', ['kustomize']],
  ] as const) {
    try {
      execFileSync(bin, ['version', ...(bin === 'kubectl' ? ['--client'] : [])], { stdio: 'ignore', timeout: 30_000 });
    } catch {
      continue;
    }
    return { run: (dir) => execFileSync(bin, [...args, join(ROOT, dir)], { encoding: 'utf8', timeout: 60_000 }) };
  }
  return { missing: 'neither kustomize nor kubectl is on PATH; install one: go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.3' };
}
