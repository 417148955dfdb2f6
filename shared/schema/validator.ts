import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import { ValidationError, type FieldProblem } from '../errors/index.js';

// ajv-formats ships CommonJS with a default export; under NodeNext the callable sits on .default.
const addFormats = ((ajvFormats as unknown as { default?: unknown }).default ?? ajvFormats) as (ajv: Ajv) => Ajv;

type StringFormat = { validate: (s: string) => boolean; compare?: (a: string, b: string) => number | undefined };

/** The first and last instants of four-digit years: RFC 3339's range, and what both stores and Date take and give back. */
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * date-time is RFC 3339 as ajv-formats checks it, and also an instant every handler can hold: ajv-formats takes a
 * leap second (23:59:60) and an hours-only offset (+01), which JavaScript's Date cannot read (an Invalid Date, then a
 * 500), and year 0000 or an offset that moves 9999-12-31 into year 10000, which PostgreSQL refuses. Refusing them
 * here makes each a 400 naming its field, on every route that takes a date-time.
 */
function representableDateTimes(ajv: Ajv): void {
  const rfc3339 = ajv.formats['date-time'] as StringFormat;
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s: string) => {
      if (!rfc3339.validate(s)) return false;
      const t = Date.parse(s);
      return t >= EARLIEST && t <= LATEST;
    },
    ...(rfc3339.compare ? { compare: rfc3339.compare } : {}),
  });
}

function makeAjv(coerceTypes: boolean): Ajv {
  // validateSchema off: checking our own schemas against Ajv's meta-schema costs a tenth of a cold start. The
  // schemas are checked once, in test/schema.test.ts, by compiling every route's schema with it on.
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, strict: false, removeAdditional: false, validateSchema: false });
  addFormats(ajv);
  representableDateTimes(ajv);
  return ajv;
}

// Both instances are made on first use, like the validators: a function that starts and answers /readyz needs none.
let strictAjv: Ajv | undefined;
let coercingAjv: Ajv | undefined;
/** Bodies and event payloads are validated as sent: a string is never silently a number. Query strings and path
 * parameters are text on the wire; they are coerced to the schema's types. */
function ajvFor(part: Part): Ajv {
  if (part === 'query' || part === 'path' || part === 'config') return (coercingAjv ??= makeAjv(true));
  return (strictAjv ??= makeAjv(false));
}

export type Part = FieldProblem['in'];

export interface Validator<T> {
  readonly schema: TSchema;
  /** Returns the value typed by its schema, or throws a ValidationError naming every offending field. */
  parse(value: unknown): T;
}

function dotted(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function toFieldProblem(part: Part, e: ErrorObject): FieldProblem {
  const base = dotted(e.instancePath);
  const join = (child: string) => (base ? `${base}.${child}` : child);
  // A key that breaks propertyNames: the map is named, not the key (it may be long, or anything at all).
  if (e.propertyName !== undefined) return { in: part, field: base, message: `has a key that ${e.message ?? 'is invalid'}` };
  switch (e.keyword) {
    case 'required':
      return { in: part, field: join(String(e.params['missingProperty'])), message: 'is required' };
    case 'additionalProperties':
      return { in: part, field: join(String(e.params['additionalProperty'])), message: 'is not a known field' };
    case 'type':
      return { in: part, field: base, message: `must be ${String(e.params['type'])}` };
    default:
      return { in: part, field: base, message: e.message ?? 'is invalid' };
  }
}

function dedupe(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.in}|${p.field}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A validator for one schema. It is compiled on first use: a function serves a few of its routes per request mix,
 * and compiling every route's validators up front was a fifth of a cold start (bench/RESULTS.md).
 */
export function compileValidator<S extends TSchema>(schema: S, part: Part): Validator<Static<S>> {
  let compiled: ValidateFunction | undefined;
  return {
    schema,
    parse(value: unknown): Static<S> {
      const validate = (compiled ??= ajvFor(part).compile(schema));
      if (validate(value)) return value as Static<S>;
      // anyOf/oneOf branches add noise; the keyword errors under them are what a user can act on. Likewise
      // propertyNames' own error ("property name must be valid"): the one under it says what is wrong with the key.
      const errors = (validate.errors ?? []).filter(
        (e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && e.keyword !== 'if' && e.keyword !== 'propertyNames',
      );
      throw new ValidationError(dedupe(errors.map((e) => toFieldProblem(part, e))));
    },
  };
}
