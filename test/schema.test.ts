import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { allFunctions } from '../functions/index.js';
import { ConfigSchema } from '../shared/config/index.js';

/**
 * The server compiles validators lazily and without checking schemas against Ajv's meta-schema (cold start); this
 * compiles every schema once, up front, with the checks on, so a broken schema fails here and not on some request.
 */
const addFormats = ((ajvFormats as unknown as { default?: unknown }).default ?? ajvFormats) as (ajv: Ajv) => Ajv;

describe('functions/registry.ts loads exactly the functions of functions/index.ts', () => {
  it('by the same names, to the same definitions', async () => {
    const { functionNames, loadAllFunctions } = await import('../functions/registry.js');
    expect([...functionNames].sort()).toEqual(allFunctions.map((f) => f.name).sort());
    expect((await loadAllFunctions()).map((f) => f.name).sort()).toEqual(allFunctions.map((f) => f.name).sort());
  });
});

describe('every schema compiles and is a valid JSON Schema', () => {
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false, validateSchema: true }));
  for (const fn of allFunctions) {
    for (const route of fn.routes) {
      it(`${fn.name}: ${route.method} ${route.path}`, () => {
        for (const schema of [route.params, route.query, route.body]) if (schema) expect(() => ajv.compile(schema)).not.toThrow();
      });
    }
    for (const consumer of fn.consumes) it(`${fn.name}: event ${consumer.type}`, () => expect(() => ajv.compile(consumer.schema)).not.toThrow());
  }
  it('the configuration', () => expect(() => ajv.compile(ConfigSchema)).not.toThrow());
});
