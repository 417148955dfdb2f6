import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiTools } from '../support/openapi-tools.js';
import { startPlatform, type TestPlatform } from '../support/platform.js';

/**
 * /openapi.json as tools read it: every operation usable (each path template variable declared, every $ref
 * resolving inside the document), and the whole document valid by openapi-spec-validator (OpenAPI 3.1).
 */
const tools = openApiTools();

describe('the OpenAPI document', () => {
  let p: TestPlatform;
  let doc: { paths: Record<string, Record<string, { operationId: string; parameters?: Array<{ name: string; in: string }> }>> } & Record<string, unknown>;
  beforeAll(async () => {
    p = await startPlatform('pglite');
    const res = await p.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  }, 60_000);
  afterAll(async () => p?.close());

  it('declares every path parameter of every operation', () => {
    const missing: string[] = [];
    for (const [template, ops] of Object.entries(doc.paths)) {
      const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(ops)) {
        const declared = new Set((op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name));
        for (const n of names) if (!declared.has(n as string)) missing.push(`${op.operationId}: ${n}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('resolves every $ref inside the document', () => {
    const dangling = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (typeof node !== 'object' || node === null) return;
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string') {
          let target: unknown = v.startsWith('#/') ? doc : undefined;
          for (const part of v.startsWith('#/') ? v.slice(2).split('/') : []) target = (target as Record<string, unknown> | undefined)?.[part];
          if (target === undefined) dangling.add(v);
        } else walk(v);
      }
    };
    walk(doc);
    expect([...dangling]).toEqual([]);
  });

  it.runIf(tools)(
    'is valid OpenAPI 3.1 by openapi-spec-validator',
    () => {
      const script =
        'import json,sys\nfrom openapi_spec_validator.validation import OpenAPIV31SpecValidator\nerrs=[str(e).splitlines()[0] for e in OpenAPIV31SpecValidator(json.load(sys.stdin)).iter_errors()]\nprint(json.dumps(errs))';
      const out = execFileSync(tools?.python ?? 'python3', ['-c', script], { input: JSON.stringify(doc), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(JSON.parse(out)).toEqual([]);
    },
    120_000,
  );
});
