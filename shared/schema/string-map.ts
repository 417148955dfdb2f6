import { Type, type ObjectOptions, type StringOptions, type TSchema } from '@sinclair/typebox';

/**
 * A map of string keys to `value` whose keys are bounded too. TypeBox's Record keeps only a string key's pattern:
 * its length bounds were dropped (the schema says patternProperties "^(.*)$"), so a key of any length was stored.
 * The key's bounds go into propertyNames, which the validator and the OpenAPI document both read; a key past them is
 * a 400 naming the map ("has a key that must NOT have more than 256 characters").
 */
export function StringMap<V extends TSchema>(key: StringOptions & { maxLength: number }, value: V, options: ObjectOptions & { maxProperties: number }) {
  return Type.Record(Type.String(), value, { ...options, propertyNames: { type: 'string', ...key } });
}
